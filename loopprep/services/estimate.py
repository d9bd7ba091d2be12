"""Estimation kit: presets (shipped YAML + the user's own models, ``services/user_models.py``), the calculators
behind one registry shared by the web app and the CLI, and the drills with their history.

Every calculator takes a pydantic parameter model (the same fields as the CLI options and the
web form / query string) and returns :class:`EstimateView`, the public ``--json`` contract:
``{"result": {NAME: {"value", "unit"}}, "steps": [{"label", "formula", "value", "unit"}],
"inputs": {...}, "warnings": [...]}``.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from loopprep.content.schema import estimate as schema
from loopprep.content.schema.estimate import DtypePreset, SourceRef
from loopprep.engines.estimate import compute, drills, index, memory, traffic
from loopprep.engines.estimate.audit import Claim, audit_chapter
from loopprep.engines.estimate.specs import PARAMETER_FORMULA, Accelerator, Dtype, ModelSpec, parameter_count
from loopprep.engines.estimate.steps import BadInput, Estimate
from loopprep.errors import InvalidInput

if TYPE_CHECKING:  # kept out of import time: `loopprep --help` builds the estimate commands from this module
    from sqlalchemy import Connection

    from loopprep.content.loader import ContentBank
    from loopprep.services.context import AppContext


# ----------------------------------------------------------------------------- presets


class ModelPreset(schema.ModelPreset):
    """A model preset (the content schema) with its conversion into the engine's ``ModelSpec``."""

    def spec(self) -> ModelSpec:
        return ModelSpec(
            id=self.id,
            name=self.name,
            layers=self.layers,
            hidden=self.hidden,
            heads=self.heads,
            kv_heads=self.kv_heads,
            head_dim=self.head_dim,
            ffn=self.ffn,
            vocab=self.vocab,
            tied_embeddings=self.tied_embeddings,
            sliding_window=self.sliding_window,
            local_layers=self.local_layers,
            experts=self.experts,
            experts_per_token=self.experts_per_token,
            qkv_bias=self.qkv_bias,
            norms_per_layer=self.norms_per_layer,
            arch=self.arch,
            max_positions=self.max_context if self.arch == "encoder" else 0,
            type_vocab=self.type_vocab,
        )


class AcceleratorPreset(schema.AcceleratorPreset):
    """An accelerator preset with its conversion into the engine's ``Accelerator``."""

    def spec(self) -> Accelerator:
        return Accelerator(self.id, self.name, self.memory_gb, self.bandwidth_gbs, self.bf16_tflops, self.fp8_tflops)


@dataclass(frozen=True)
class Presets:
    models: dict[str, ModelPreset]
    gpus: dict[str, AcceleratorPreset]
    dtypes: dict[str, DtypePreset]

    def model(self, name: str, field: str = "model") -> ModelSpec:
        if name not in self.models:
            raise InvalidInput(f"Unknown model '{name}'.", f"Known models: {', '.join(self.models)}.", field=field)
        return self.models[name].spec()

    def gpu(self, name: str, field: str = "gpu") -> Accelerator:
        if name not in self.gpus:
            raise InvalidInput(f"Unknown GPU '{name}'.", f"Known GPUs: {', '.join(self.gpus)}.", field=field)
        return self.gpus[name].spec()

    def dtype(self, name: str, field: str = "dtype") -> Dtype:
        if name not in self.dtypes:
            raise InvalidInput(f"Unknown dtype '{name}'.", f"Known dtypes: {', '.join(self.dtypes)}.", field=field)
        d = self.dtypes[name]
        return Dtype(d.id, d.name, d.bytes)

    def world(self) -> drills.DrillWorld:
        return drills.DrillWorld(
            models=[m.spec() for m in self.models.values() if not m.id.startswith("user-")],
            gpus=[g.spec() for g in self.gpus.values()],
            dtypes={k: self.dtype(k) for k in self.dtypes},
        )


def shipped_presets(bank: ContentBank) -> Presets:
    """The shipped presets plus the read-only model presets of the user's content directory,
    converted for the calculators.  Built once per context: use ``ctx.shipped_presets``."""
    models = {**bank.estimate.models, **bank.user_models}
    return Presets(
        models={k: ModelPreset.model_validate(m.model_dump()) for k, m in models.items()},
        gpus={k: AcceleratorPreset.model_validate(g.model_dump()) for k, g in bank.estimate.accelerators.items()},
        dtypes=dict(bank.estimate.dtypes),
    )


def _base_presets(ctx: AppContext | None) -> Presets:
    if ctx is not None:
        return ctx.shipped_presets
    from loopprep.content.loader import load_bank

    return shipped_presets(load_bank())


def presets(ctx: AppContext | None = None, *, extra: Sequence[ModelPreset] = ()) -> Presets:
    """Shipped presets plus the user's models from the database (ids ``user-<name>``; on an id
    clash the user's wins) plus ``extra`` (a config.json given on the command line)."""
    from loopprep.services.user_models import user_models

    base = _base_presets(ctx)
    mine = user_models(ctx) if ctx is not None else {}
    if not mine and not extra:
        return base
    models = {**base.models, **mine, **{m.id: m for m in extra}}
    return Presets(models=models, gpus=base.gpus, dtypes=base.dtypes)


class ModelRow(BaseModel):
    id: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tied_embeddings: bool
    sliding_window: int | None
    local_layers: int
    experts: int
    experts_per_token: int
    max_context: int
    parameters: int
    active_parameters: int
    kv_bytes_per_token_bf16: int
    source: SourceRef


class GpuRow(BaseModel):
    id: str
    name: str
    memory_gb: float
    memory_bytes_decimal: int
    memory_bytes_binary: int
    bandwidth_gbs: float
    bf16_tflops: float
    fp8_tflops: float | None
    source: SourceRef


class DtypeRow(BaseModel):
    id: str
    name: str
    bytes: float
    source: SourceRef


class PresetsView(BaseModel):
    models: list[ModelRow]
    gpus: list[GpuRow]
    dtypes: list[DtypeRow]
    parameter_formula: str


def list_presets(ctx: AppContext | None = None, *, extra: Sequence[ModelPreset] = ()) -> PresetsView:
    p = presets(ctx, extra=extra)
    rows = []
    for m in p.models.values():
        spec = m.spec()
        pc = parameter_count(spec)
        rows.append(
            ModelRow(
                **m.model_dump(exclude={"arch", "qkv_bias", "norms_per_layer", "type_vocab", "source"}),
                parameters=pc.total,
                active_parameters=pc.active,
                kv_bytes_per_token_bf16=2 * spec.layers * spec.kv_heads * spec.head_dim * 2,
                source=m.source,
            )
        )
    gpus = [
        GpuRow(
            **g.model_dump(),
            memory_bytes_decimal=round(g.memory_gb * 10**9),
            memory_bytes_binary=round(g.memory_gb * 2**30),
        )
        for g in p.gpus.values()
    ]
    return PresetsView(
        models=rows,
        gpus=gpus,
        dtypes=[DtypeRow(**d.model_dump()) for d in p.dtypes.values()],
        parameter_formula=PARAMETER_FORMULA,
    )


# ----------------------------------------------------------------------------- the contract


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


# ----------------------------------------------------------------------------- parameters

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
    tp: int = Field(1, ge=1, le=4096, description="Tensor-parallel degree (GPUs per replica)")


class WeightsParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    tp: int = Field(1, ge=1, le=4096, description="Tensor-parallel degree")


class KvParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    context: int = Field(2500, ge=1, le=100_000_000, description="Tokens per request (prompt + output)")
    batch: int = Field(32, ge=1, le=1_000_000, description="Requests in the batch")
    tp: int = Field(1, ge=1, le=4096, description="Tensor-parallel degree")


class KvBudgetParams(Params):
    model: str = Field("llama-3-70b", max_length=100, description="Model preset")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    weight_dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    tp: int = Field(2, ge=1, le=4096, description="Tensor-parallel degree")
    reserve_gb: float = Field(0, ge=0, le=100_000, description="Runtime reserve per GPU (GB)")
    tokens_per_request: int = Field(2500, ge=1, le=100_000_000, description="Tokens per request")
    binary: bool = Field(False, description="Read the data sheet's GB as GiB for the headline")


class RooflineParams(Params):
    model: str = Field("llama-3-8b", max_length=100, description="Model preset")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    weight_dtype: str = Field("bf16", max_length=100, description="Weight dtype")
    kv_dtype: str = Field("bf16", max_length=100, description="KV cache dtype")
    batch: int = Field(32, ge=1, le=1_000_000, description="Sequences per step")
    context: int = Field(2000, ge=1, le=100_000_000, description="Context length (tokens)")
    tp: int = Field(1, ge=1, le=4096, description="Tensor-parallel degree")
    phase: Literal["decode", "prefill"] = Field("decode", description="Decode or prefill")


class TrainParams(Params):
    model: str = Field("", max_length=100, description="Model preset (empty: use the parameter count)")
    parameters_b: float = Field(8, gt=0, le=1e6, description="Parameters (billions)")
    tokens_b: float = Field(15_000, gt=0, le=1e9, description="Training tokens (billions)")
    gpu: str = Field("h100-sxm", max_length=100, description="GPU preset")
    mfu: float = Field(0.4, ge=0.001, le=1, description="Model FLOPs utilisation (0.001–1)")
    gpus: int = Field(1024, ge=1, le=10_000_000, description="GPUs in the run")
    dtype: str = Field("bf16", max_length=100, description="Training dtype (sets the peak FLOP/s)")


class IndexParams(Params):
    vectors: float = Field(100_000_000, gt=0, le=BIG, description="Vectors")
    dim: int = Field(768, ge=1, le=100_000, description="Dimensions")
    kind: Literal["flat", "hnsw", "ivf-flat", "ivf-pq"] = Field("hnsw", description="Faiss index type")
    hnsw_m: int = Field(32, ge=2, le=1024, description="HNSW M (links per node)")
    pq_bytes: int = Field(64, ge=1, le=100_000, description="IVF-PQ code bytes per vector")
    nlist: int = Field(0, ge=0, le=100_000_000, description="IVF lists (0: 4 x √N)")
    replicas: int = Field(1, ge=1, le=10_000, description="Replicas")


class StorageParams(Params):
    items_per_day: float = Field(1e9, gt=0, le=BIG, description="Events or rows per day")
    bytes_per_item: float = Field(500, gt=0, le=1e12, description="Bytes per event or row")
    retention_days: float = Field(90, gt=0, le=36_500, description="Days kept")
    replication: int = Field(3, ge=1, le=100, description="Copies")
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
            "2 x layers x KV heads x head_dim x bytes per token; per GPU, per request, per batch; sliding windows "
            "capped.",
            KvParams,
            lambda p, a: memory.kv_cache(
                p.model(a.model), p.dtype(a.kv_dtype, "kv_dtype"), context=a.context, batch=a.batch, tp=a.tp
            ),
            ("kv_bytes_per_token", "kv_bytes_per_request", "kv_bytes_per_batch"),
        ),
        Calculator(
            "kv-budget",
            "KV budget: what fits on a GPU",
            "Memory left for the KV cache after weights and a reserve (both readings of GB); max tokens and requests.",
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
            ),
            ("kv_free_bytes_decimal", "kv_free_bytes_binary", "max_tokens", "max_requests"),
        ),
        Calculator(
            "roofline",
            "Roofline: decode and prefill",
            "Upper bounds on tokens/s from memory bandwidth and from compute; which one binds.",
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
            ),
            ("memory_bound_tokens_per_s", "compute_bound_tokens_per_s", "binding"),
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


# ----------------------------------------------------------------------------- check the numbers


class ClaimView(BaseModel):
    id: str
    estimation: str
    quote: str
    claimed: str
    exact: str
    verdict: Literal["right", "rough", "wrong"]
    explanation: str
    calculator: str
    query: str


class CheckView(BaseModel):
    source: str
    claims: list[ClaimView]
    counts: dict[str, int]


def check_the_numbers(ctx: AppContext | None = None) -> CheckView:
    """The chapter's §129.5 worked example, claim by claim, with figures computed now."""
    p = _base_presets(ctx)
    claims: list[Claim] = audit_chapter(
        llama_70b=p.model("llama-3-70b"),
        llama_8b=p.model("llama-3-8b"),
        gemma_9b=p.model("gemma-2-9b"),
        h100=p.gpu("h100-sxm"),
        bf16=p.dtype("bf16"),
    )
    views = [ClaimView(**c.__dict__) for c in claims]
    counts = {v: sum(c.verdict == v for c in views) for v in ("right", "rough", "wrong")}
    return CheckView(
        source='The interview-day chapter, §129.5 "The art of back-of-envelope under pressure"',
        claims=views,
        counts=counts,
    )


# ----------------------------------------------------------------------------- drills


class DrillView(BaseModel):
    kind: str
    seed: int
    title: str
    question: str
    factors: list[str]
    unit: str
    seconds: int


class DrillResult(BaseModel):
    kind: str
    seed: int
    question: str
    answer: float
    truth: float
    unit: str
    ratio: float
    grade: str
    grade_label: str
    diagnosis: str
    steps: list[StepOut]
    seconds: float | None
    plan_task_done: str | None = None  # the key of the plan task this drill completed


class KindStats(BaseModel):
    kind: str
    title: str
    attempts: int
    exact: int
    good: int
    order: int
    off: int
    hit_rate: float | None  # share graded exact or good
    recent_hit_rate: float | None  # over the last 10


class AttemptRow(BaseModel):
    kind: str
    seed: int
    answer: float
    truth: float
    ratio: float
    grade: str
    seconds: float | None
    answered_at: dt.datetime


class WeekStats(BaseModel):
    week: dt.date  # the Monday (UTC) the week starts on
    attempts: int
    hit_rate: float
    median_ratio: float


class DrillHistory(BaseModel):
    total: int
    by_kind: list[KindStats]
    by_week: list[WeekStats]
    recent: list[AttemptRow]
    next_kind: str


def _history_pairs(ctx: AppContext) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from loopprep.store.tables import estimate_drill_attempt as t

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.c.kind, t.c.grade).order_by(t.c.answered_at, t.c.id)).all()
    return [(r.kind, r.grade) for r in rows]


def new_drill(ctx: AppContext, *, kind: str | None = None, seed: int | None = None) -> DrillView:
    """A drill of ``kind`` (default: the type missed most, see ``drills.next_kind``)."""
    if kind is None or kind == "":
        kind = drills.next_kind(_history_pairs(ctx))
    if kind not in drills.TEMPLATES:
        raise InvalidInput(f"Unknown drill type '{kind}'.", f"Drill types: {', '.join(drills.KINDS)}.", field="kind")
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not 0 <= seed < 2**31:
        raise InvalidInput(f"'seed' must be between 0 and {2**31 - 1} (got {seed}).", field="seed")
    d = drills.make_drill(kind, seed, presets().world())
    return DrillView(
        kind=kind,
        seed=seed,
        title=d.title,
        question=d.question,
        factors=list(d.factors),
        unit=d.unit,
        seconds=drills.DRILL_SECONDS,
    )


def answer_drill(
    ctx: AppContext,
    *,
    kind: str,
    seed: int,
    answer: float,
    now: dt.datetime,
    seconds: float | None = None,
    save: bool = True,
    today: dt.date | None = None,
) -> DrillResult:
    """Grade an answer to the drill ``(kind, seed)`` and record the attempt."""
    if kind not in drills.TEMPLATES:
        raise InvalidInput(f"Unknown drill type '{kind}'.", f"Drill types: {', '.join(drills.KINDS)}.", field="kind")
    if not 0 <= seed < 2**31:
        raise InvalidInput(f"'seed' must be between 0 and {2**31 - 1} (got {seed}).", field="seed")
    if seconds is not None and (not math.isfinite(seconds) or seconds < 0):
        seconds = None
    d = drills.make_drill(kind, seed, presets().world())
    try:
        g = drills.grade_drill(answer, d)
    except BadInput as exc:
        raise InvalidInput(exc.message, exc.hint, field="answer") from None
    completed: str | None = None
    if save:
        from loopprep.store.locks import write_transaction
        from loopprep.store.tables import estimate_drill_attempt

        with write_transaction(ctx.engine) as conn:  # the attempt and its plan check-off are saved together
            conn.execute(
                estimate_drill_attempt.insert().values(
                    kind=kind,
                    seed=seed,
                    answer=answer,
                    truth=d.truth,
                    ratio=g.ratio,
                    grade=g.grade,
                    seconds=None if seconds is None else round(seconds, 1),
                    answered_at=now,
                )
            )
            completed = _complete_plan_task(conn, kind, today=today, now=now)
    return DrillResult(
        kind=kind,
        seed=seed,
        question=d.question,
        answer=answer,
        truth=d.truth,
        unit=d.unit,
        ratio=g.ratio,
        grade=g.grade,
        grade_label=g.label,
        diagnosis=g.diagnosis,
        steps=[StepOut(label=s.label, formula=s.formula, value=s.value, unit=s.unit) for s in d.steps],
        seconds=seconds,
        plan_task_done=completed,
    )


def plan_items(kind: str) -> tuple[str, ...]:
    """The plan items a drill of ``kind`` completes (an ``activity`` task naming either)."""
    return (f"estimation-drill-{kind}", "estimation-drill")


def _complete_plan_task(conn: Connection, kind: str, *, today: dt.date | None, now: dt.datetime) -> str | None:
    """Mark done, in the caller's transaction, the earliest pending plan task that names this
    drill, if the plan has one (``today`` None: today in the plan's time zone)."""
    from loopprep.engines.clock.model import ItemKind
    from loopprep.services.plan import mark_item_done

    for item in plan_items(kind):
        key = mark_item_done(conn, ItemKind.ACTIVITY, item, today=today, now=now)
        if key:
            return key
    return None


def drill_history(ctx: AppContext, *, recent: int = 20) -> DrillHistory:
    from sqlalchemy import func, select

    from loopprep.store.tables import estimate_drill_attempt as t

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.answered_at, t.c.id)).mappings().all()
        total = int(conn.execute(select(func.count()).select_from(t)).scalar_one())
    by: dict[str, list[str]] = {k: [] for k in drills.KINDS}
    for r in rows:
        by.setdefault(r["kind"], []).append(r["grade"])
    stats = []
    for k, grades in by.items():
        hits = sum(g in ("exact", "good") for g in grades)
        last = grades[-10:]
        stats.append(
            KindStats(
                kind=k,
                title=drills.TEMPLATES[k][0] if k in drills.TEMPLATES else k,
                attempts=len(grades),
                exact=grades.count("exact"),
                good=grades.count("good"),
                order=grades.count("order"),
                off=grades.count("off"),
                hit_rate=hits / len(grades) if grades else None,
                recent_hit_rate=sum(g in ("exact", "good") for g in last) / len(last) if last else None,
            )
        )
    weeks: dict[dt.date, list[tuple[str, float]]] = {}
    for r in rows:
        at = r["answered_at"]
        day = (at if at.tzinfo is None else at.astimezone(dt.UTC)).date()
        weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append((r["grade"], r["ratio"]))
    by_week = [
        WeekStats(
            week=w,
            attempts=len(items),
            hit_rate=sum(g in ("exact", "good") for g, _ in items) / len(items),
            median_ratio=sorted(x for _, x in items)[len(items) // 2],
        )
        for w, items in sorted(weeks.items())
    ]
    recent_rows = [AttemptRow(**{k: r[k] for k in AttemptRow.model_fields}) for r in reversed(rows[-recent:])]
    return DrillHistory(
        total=total,
        by_kind=stats,
        by_week=by_week,
        recent=recent_rows,
        next_kind=drills.next_kind([(r["kind"], r["grade"]) for r in rows]),
    )


def parse_answer(text: str) -> float:
    """A typed answer: digits with optional commas/underscores, e-notation, or a k/M/B/T suffix."""
    s = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    mult = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "t": 1e12, "T": 1e12}
    factor = 1.0
    if s and s[-1] in mult:
        factor, s = mult[s[-1]], s[:-1]
    try:
        v = float(s) * factor
    except ValueError:
        raise InvalidInput(
            f"'{text}' is not a number.", "Type digits, e.g. 350, 3.5e2 or 350k.", field="answer"
        ) from None
    if not math.isfinite(v) or v <= 0:
        raise InvalidInput(f"The answer must be a number above 0 (got {text!r}).", "Type e.g. 350.", field="answer")
    return v


def kinds() -> Sequence[tuple[str, str]]:
    return [(k, v[0]) for k, v in drills.TEMPLATES.items()]
