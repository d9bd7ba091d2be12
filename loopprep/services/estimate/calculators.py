"""The calculator registry shared by the web app and the CLI: parameter models, the ``EstimateView``
contract, and running a calculator."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from loopprep.domain import WholeNumber
from loopprep.engines.estimate import compute, index, memory, traffic
from loopprep.engines.estimate.specs import parameter_count
from loopprep.engines.estimate.steps import BadInput, Estimate
from loopprep.errors import InvalidInput
from loopprep.services.estimate.catalog import ModelPreset, Presets, presets

if TYPE_CHECKING:  # kept out of import time: `loopprep --help` builds the estimate commands from this module
    from loopprep.services.context import AppContext


class QuantityOut(BaseModel):
    value: float | str
    unit: str


class StepOut(BaseModel):
    label: str
    formula: str
    value: float
    unit: str


class EstimateView(BaseModel):
    """The public contract of every calculator (CLI ``--json`` and ``/api/estimate/...``)."""

    result: dict[str, QuantityOut]
    steps: list[StepOut]
    inputs: dict[str, Any]
    warnings: list[str]


def view_of(e: Estimate) -> EstimateView:
    return EstimateView(
        result={k: QuantityOut(value=q.value, unit=q.unit) for k, q in e.result.items()},
        steps=[StepOut(label=s.label, formula=s.formula, value=s.value, unit=s.unit) for s in e.steps],
        inputs=dict(e.inputs),
        warnings=list(e.warnings),
    )


BIG = 1e15  # upper bound on counts, so no input overflows a float or a JSON number


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QpsParams(Params):
    dau: float = Field(1_000_000, gt=0, le=BIG, description="Daily active users")
    sessions_per_user: float = Field(5, gt=0, le=10_000, description="Sessions per user per day")
    requests_per_session: float = Field(10, gt=0, le=100_000, description="Requests (turns) per session")
    peak_factor: float = Field(3, ge=1, le=100, description="Peak ÷ average")
    tokens_per_request: float = Field(
        300, ge=0, le=10_000_000, description="Output tokens per request (0: skip tokens)"
    )


class InflightParams(Params):
    arrival_rate: float = Field(6944, gt=0, le=BIG, description="Arrival rate (requests/s)")
    latency_s: float = Field(0.5, gt=0, le=86_400, description="Latency (s)")
    latency_kind: Literal["mean", "p50", "p90", "p95", "p99"] = Field("mean", description="Which latency that is")


class GpusParams(Params):
    peak_tokens_per_s: float = Field(520_833, gt=0, le=BIG, description="Peak tokens/s needed")
    tokens_per_s_per_gpu: float = Field(1000, gt=0, le=BIG, description="Tokens/s one GPU sustains")
    headroom: float = Field(1.3, ge=1, le=100, description="Headroom factor (1.3 = 30 % spare)")
    tp: WholeNumber = Field(1, ge=1, le=4096, description="Tensor-parallel degree (GPUs per replica)")


class WeightsParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    tp: WholeNumber = Field(1, ge=1, le=4096, description="Tensor-parallel degree")


class KvParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    context: WholeNumber = Field(2500, ge=1, le=100_000_000, description="Tokens per request (prompt + output)")
    batch: WholeNumber = Field(32, ge=1, le=1_000_000, description="Requests in the batch")
    tp: WholeNumber = Field(1, ge=1, le=4096, description="Tensor-parallel degree")


class KvBudgetParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    weight_dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    tp: WholeNumber = Field(2, ge=1, le=4096, description="Tensor-parallel degree")
    reserve_gb: float = Field(
        0, ge=0, le=100_000, description="Further reserve per GPU (GiB; GB in the decimal reading)"
    )
    tokens_per_request: WholeNumber = Field(2500, ge=1, le=100_000_000, description="Tokens per request")
    binary: bool = Field(True, description="Read the data sheet's GB as GiB, as HBM is built (off: 10^9 bytes)")
    memory_utilization: float = Field(
        0.9, gt=0, le=1, description="Share of GPU memory the server may use (vLLM gpu_memory_utilization; default 0.9)"
    )


class RooflineParams(Params):
    model: str = Field("llama-3-8b", max_length=100, description="Model preset")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    weight_dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    batch: WholeNumber = Field(32, ge=1, le=1_000_000, description="Sequences per step")
    context: WholeNumber = Field(2000, ge=1, le=100_000_000, description="Context length (tokens)")
    tp: WholeNumber = Field(1, ge=1, le=4096, description="Tensor-parallel degree")
    phase: Literal["decode", "prefill"] = Field("decode", description="Decode or prefill")
    activation_dtype: str = Field(
        "", max_length=100, description="Activation format (empty: the weight format's usual pairing)"
    )


class TrainParams(Params):
    model: str = Field("", max_length=100, description="Model preset (empty: use the parameter count)")
    parameters_b: float = Field(8, gt=0, le=1e6, description="Parameters (billions)")
    tokens_b: float = Field(15_000, gt=0, le=1e9, description="Training tokens (billions)")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    mfu: float = Field(0.4, ge=0.001, le=1, description="Model FLOPs utilisation (0.001–1)")
    gpus: WholeNumber = Field(1024, ge=1, le=10_000_000, description="GPUs in the run")
    dtype: str = Field("bf16", max_length=100, description="Training dtype (sets the peak FLOP/s)")


class IndexParams(Params):
    vectors: float = Field(100_000_000, gt=0, le=BIG, description="Vectors")
    dim: WholeNumber = Field(768, ge=1, le=100_000, description="Dimensions")
    kind: Literal["flat", "hnsw", "ivf-flat", "ivf-pq"] = Field("hnsw", description="Faiss index type")
    hnsw_m: WholeNumber = Field(32, ge=2, le=1024, description="HNSW M (links per node)")
    pq_bytes: WholeNumber = Field(64, ge=1, le=100_000, description="IVF-PQ code bytes per vector")
    nlist: WholeNumber = Field(0, ge=0, le=100_000_000, description="IVF lists (0: 4 x √N)")
    replicas: WholeNumber = Field(1, ge=1, le=10_000, description="Replicas")


class StorageParams(Params):
    items_per_day: float = Field(1e9, gt=0, le=BIG, description="Events or rows per day")
    bytes_per_item: float = Field(500, gt=0, le=1e12, description="Bytes per event or row")
    retention_days: float = Field(90, gt=0, le=36_500, description="Days kept")
    replication: WholeNumber = Field(3, ge=1, le=100, description="Copies")
    compression: float = Field(1, ge=1, le=1000, description="Compression ratio")


class CostParams(Params):
    gpus: float = Field(678, gt=0, le=1e9, description="GPUs")
    price_per_gpu_hour: float = Field(2.5, gt=0, le=10_000, description="Price per GPU-hour ($)")
    hours_per_month: float = Field(730, gt=0, le=744, description="Hours per month")
    utilisation: float = Field(1, gt=0, le=1, description="Share of the month rented (0–1)")


@dataclass(frozen=True)
class Calculator:
    id: str
    title: str
    blurb: str
    params: type[Params]
    run: Callable[[Presets, Any], Estimate]
    headline: tuple[str, ...]


def _train(p: Presets, a: TrainParams) -> Estimate:
    params = a.parameters_b * 1e9
    if a.model:
        params = parameter_count(p.model(a.model)).active
    e = compute.training(
        parameters=params,
        tokens=a.tokens_b * 1e9,
        gpu=p.gpu(a.gpu),
        mfu=a.mfu,
        gpus=a.gpus,
        dtype_id=p.dtype(a.dtype).id,
    )
    if a.model:
        e.inputs["model"] = a.model  # type: ignore[index]
    return e


CALCULATORS: dict[str, Calculator] = {
    c.id: c
    for c in (
        Calculator(
            "qps",
            "Traffic: QPS and tokens",
            "Average and peak QPS from daily users, sessions and requests; tokens per day and per second.",
            QpsParams,
            lambda p, a: traffic.traffic(**a.model_dump()),
            ("avg_qps", "peak_qps", "peak_tokens_per_s"),
        ),
        Calculator(
            "inflight",
            "Little's law: requests in flight",
            "Requests in flight = arrival rate x MEAN latency.",
            InflightParams,
            lambda p, a: traffic.inflight(**a.model_dump()),
            ("in_flight",),
        ),
        Calculator(
            "gpus",
            "GPUs for a serving load",
            "Peak tokens/s ÷ per-GPU tokens/s x headroom, rounded up to whole replicas.",
            GpusParams,
            lambda p, a: traffic.gpus_for_load(**a.model_dump()),
            ("gpus",),
        ),
        Calculator(
            "weights",
            "Weights memory",
            "Parameters (counted from the config) x bytes per element, per GPU under TP.",
            WeightsParams,
            lambda p, a: memory.weights(p.model(a.model), p.dtype(a.dtype, "dtype"), tp=a.tp),
            ("parameters", "weights_bytes"),
        ),
        Calculator(
            "kv",
            "KV cache",
            "2 x layers x KV heads x head_dim x bytes per token (latent attention: layers x (kv_lora_rank + "
            "qk_rope_head_dim) x bytes); per GPU, per request, per batch; sliding windows capped.",
            KvParams,
            lambda p, a: memory.kv_cache(
                p.model(a.model), p.dtype(a.kv_dtype, "kv_dtype"), context=a.context, batch=a.batch, tp=a.tp
            ),
            ("kv_bytes_per_token", "kv_bytes_per_request", "kv_bytes_per_batch"),
        ),
        Calculator(
            "kv-budget",
            "KV budget: what fits on a GPU",
            "Memory left for the KV cache after weights, the server's memory share (vLLM's 0.9) and a reserve; 80 GB "
            "read as 80 GiB (decimal shown too); max tokens and requests.",
            KvBudgetParams,
            lambda p, a: memory.kv_budget(
                p.model(a.model),
                p.gpu(a.gpu),
                p.dtype(a.weight_dtype, "weight_dtype"),
                p.dtype(a.kv_dtype, "kv_dtype"),
                tp=a.tp,
                reserve_gb=a.reserve_gb,
                tokens_per_request=a.tokens_per_request,
                binary=a.binary,
                memory_utilization=a.memory_utilization,
            ),
            ("kv_free_bytes_decimal", "kv_free_bytes_binary", "max_tokens", "max_requests"),
        ),
        Calculator(
            "roofline",
            "Roofline: decode and prefill",
            "Upper bounds on tokens/s from memory bandwidth and from compute at the rate the weight and activation "
            "formats earn; which one binds.",
            RooflineParams,
            lambda p, a: compute.roofline(
                p.model(a.model),
                p.gpu(a.gpu),
                p.dtype(a.weight_dtype, "weight_dtype"),
                p.dtype(a.kv_dtype, "kv_dtype"),
                batch=a.batch,
                context=a.context,
                tp=a.tp,
                phase=a.phase,
                activation_dtype=p.activation(a.activation_dtype, a.weight_dtype),
            ),
            ("memory_bound_tokens_per_s", "compute_bound_tokens_per_s", "binding", "compute_rate"),
        ),
        Calculator(
            "train",
            "Training compute",
            "About 6 x parameters x tokens FLOPs; GPU-days at a stated MFU.",
            TrainParams,
            _train,
            ("flops", "gpu_days", "wall_days"),
        ),
        Calculator(
            "index",
            "Vector index memory",
            "Flat, HNSW, IVF-Flat and IVF-PQ memory from Faiss's per-vector costs.",
            IndexParams,
            lambda p, a: index.vector_index(**a.model_dump()),
            ("index_bytes", "total_bytes"),
        ),
        Calculator(
            "storage",
            "Logs and feature stores",
            "Items per day x bytes x retention ÷ compression x replicas.",
            StorageParams,
            lambda p, a: index.storage(**a.model_dump()),
            ("bytes_per_day", "stored_bytes"),
        ),
        Calculator(
            "cost",
            "Cost per month",
            "GPUs x hours x price per GPU-hour.",
            CostParams,
            lambda p, a: traffic.monthly_cost(**a.model_dump()),
            ("cost_per_month",),
        ),
    )
}


def calculator(calc_id: str) -> Calculator:
    if calc_id not in CALCULATORS:
        from loopprep.errors import NotFound

        raise NotFound(f"There is no calculator '{calc_id}'.", f"Calculators: {', '.join(CALCULATORS)}.")
    return CALCULATORS[calc_id]


def parse_params(calc_id: str, raw: dict[str, Any]) -> Params:
    """Validate raw values (query string, form, CLI); errors name each field and its range."""
    calc = calculator(calc_id)
    try:
        return calc.params.model_validate(raw)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            name = ".".join(str(x) for x in err["loc"]) or "request"
            if err["type"] == "extra_forbidden":
                msg = f"'{name}' is not an input of this calculator (inputs: {', '.join(calc.params.model_fields)})."
            else:
                got = repr(err.get("input"))
                msg = f"'{name}': {err['msg']} (got {got if len(got) <= 60 else got[:57] + '...'})."
            fields.setdefault(name, msg)
        raise InvalidInput(" ".join(fields.values()), "Fix the field(s) named above.", fields=fields) from None


def run(
    ctx: AppContext | None,
    calc_id: str,
    params: Params | dict[str, Any],
    *,
    extra_models: Sequence[ModelPreset] = (),
) -> EstimateView:
    """Run one calculator.  Engine range errors become ``InvalidInput`` on the named field."""
    return run_labelled(ctx, calc_id, params, extra_models=extra_models)[0]


def run_labelled(
    ctx: AppContext | None,
    calc_id: str,
    params: Params | dict[str, Any],
    *,
    extra_models: Sequence[ModelPreset] = (),
) -> tuple[EstimateView, dict[str, str]]:
    """``run``, plus each result's label (the step that produced it) for pages."""
    calc = calculator(calc_id)
    if not isinstance(params, calc.params):
        params = parse_params(calc_id, params if isinstance(params, dict) else params.model_dump())
    p = presets(ctx, extra=extra_models)
    key = (calc_id, params.model_dump_json(), id(p))
    hit = _run_cache.get(key)
    if hit is not None and hit[0] is p:
        return hit[1], hit[2]
    view, labels = _run(calc, p, params)
    if len(_run_cache) >= RUN_CACHE_SIZE:
        _run_cache.pop(next(iter(_run_cache)))
    _run_cache[key] = (p, view, labels)
    return view, labels


# The calculators are pure functions of (inputs, presets): recent answers are kept (the presets
# object is part of the key and is rebuilt when a user model file changes).
RUN_CACHE_SIZE = 2048
_run_cache: dict[tuple[str, str, int], tuple[Presets, EstimateView, dict[str, str]]] = {}


def _run(calc: Calculator, p: Presets, params: Params) -> tuple[EstimateView, dict[str, str]]:
    try:
        e = calc.run(p, params)
    except BadInput as exc:
        raise InvalidInput(exc.message, exc.hint, field=exc.field or None) from None
    numbers = [s.value for s in e.steps] + [q.value for q in e.result.values() if not isinstance(q.value, str)]
    if not all(math.isfinite(v) and abs(v) < 1e300 for v in numbers):
        raise InvalidInput(
            "These inputs give a figure too large (or too small) to represent.",
            "Use realistic magnitudes: a rate, MFU or price very close to zero divides by almost nothing.",
        )
    labels = dict(e.labels)
    labels.setdefault("binding", "Which bound binds")
    return view_of(e), labels
