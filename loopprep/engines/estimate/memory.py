"""Memory: weights per dtype, the KV cache (per token, request, batch, GPU) and what fits."""

from __future__ import annotations

import math

from loopprep.engines.estimate.specs import (
    Accelerator,
    Dtype,
    ModelSpec,
    kv_elements_per_token_layer,
    kv_formula,
    kv_heads_per_gpu,
    parameter_count,
)
from loopprep.engines.estimate.steps import GB, GIB, BadInput, Estimate, Work, bytes_text, num, whole


def weights(model: ModelSpec, dtype: Dtype, *, tp: int = 1) -> Estimate:
    """Bytes of weights = parameters x bytes per element (per GPU: / tp)."""
    whole("tp", tp)
    pc = parameter_count(model)
    w = Work({"model": model.id, "dtype": dtype.id, "tp": tp})
    w.step(
        "Parameters (counted from the config)",
        "embeddings + layers x per-layer + final norm",
        pc.total,
        "params",
        name="parameters",
    )
    if pc.active != pc.total:
        w.step(
            "Active parameters per token",
            f"{model.experts_per_token} of {model.experts} experts",
            pc.active,
            "params",
            name="active_parameters",
        )
    total = w.step(
        "Weights",
        f"{num(pc.total)} x {num(dtype.bytes)} bytes ({dtype.name})",
        pc.total * dtype.bytes,
        "bytes",
        name="weights_bytes",
    )
    if tp > 1:
        w.step("Weights per GPU", f"{bytes_text(total)} / {tp} GPUs", total / tp, "bytes", name="weights_bytes_per_gpu")
    return w.done()


def _layer_tokens(model: ModelSpec, context: int) -> tuple[int, int, int]:
    """(global layers, local layers, tokens each local layer keeps) for a sequence of ``context``."""
    window = model.sliding_window
    local = model.local_layers if window else 0
    kept = min(context, window) if window and local else 0
    return model.layers - local, local, kept


def kv_bytes_for(model: ModelSpec, kv_bytes: float, context: int, *, tp: int = 1) -> float:
    """KV bytes of one sequence of ``context`` tokens on one GPU (no steps; used by others)."""
    glob, local, kept = _layer_tokens(model, context)
    return kv_elements_per_token_layer(model, tp) * kv_bytes * (glob * context + local * kept)


def kv_cache(model: ModelSpec, dtype: Dtype, *, context: int = 1, batch: int = 1, tp: int = 1) -> Estimate:
    """KV cache: per token 2 (K and V) x layers x KV heads x head_dim x bytes; per GPU under
    tensor parallelism with KV heads / tp (at least one); layers with a sliding window keep at
    most ``window`` tokens; per request for ``context`` tokens, per batch of ``batch`` requests."""
    model.check()
    whole("context", context)
    whole("batch", batch)
    whole("tp", tp)
    w = Work({"model": model.id, "kv_dtype": dtype.id, "context": context, "batch": batch, "tp": tp})
    hd, b = model.head_dim, dtype.bytes
    if model.arch == "encoder":
        w.warnings.append(
            f"{model.name} is an encoder: it keeps no KV cache between requests; the figure is what one forward pass "
            "holds."
        )
    if model.head_dim * model.heads != model.hidden:
        w.warnings.append(
            f"{model.name}: head_dim {hd} x heads {model.heads} = {num(hd * model.heads)} ≠ hidden "
            f"{num(model.hidden)}; "
            "use head_dim from the config, not hidden / heads."
        )
    if model.mla:
        per_token = w.step(
            "KV per token (multi-head latent attention: one latent + the RoPE key per layer)",
            f"{model.layers} layers x {kv_formula(model)} x {num(b)} bytes",
            model.layers * kv_elements_per_token_layer(model) * b,
            "bytes",
            name="kv_bytes_per_token",
        )
        w.step(
            "With ordinary multi-head attention it would be",
            f"2 x {model.layers} x {model.heads} heads x ({model.qk_nope_head_dim} + {model.qk_rope_head_dim}) x "
            f"{num(b)}",
            2 * model.layers * model.heads * (model.qk_nope_head_dim + model.qk_rope_head_dim) * b,
            "bytes",
        )
    else:
        per_token = w.step(
            "KV per token (all layers, one copy)",
            f"2 x {model.layers} layers x {model.kv_heads} KV heads x {hd} head_dim x {num(b)} bytes",
            2 * model.layers * model.kv_heads * hd * b,
            "bytes",
            name="kv_bytes_per_token",
        )
    if model.kv_heads < model.heads and not model.mla:
        w.step(
            "Without grouped-query attention it would be",
            f"{per_token:,.0f} x {model.heads} heads / {model.kv_heads} KV heads",
            per_token * model.heads / model.kv_heads,
            "bytes",
        )
    heads_gpu = kv_heads_per_gpu(model, tp)
    if tp > 1 and model.mla:
        w.warnings.append(
            f"Multi-head latent attention caches one latent per token that tensor parallelism does not split: each of "
            f"the {tp} GPUs holds the whole latent cache (data-parallel attention avoids the copies)."
        )
        w.step(
            "KV per token per GPU",
            f"{model.layers} x {kv_formula(model, tp)} x {num(b)} (replicated)",
            model.layers * kv_elements_per_token_layer(model, tp) * b,
            "bytes",
            name="kv_bytes_per_token_per_gpu",
        )
    elif tp > 1:
        if model.kv_heads % tp and model.kv_heads > tp:
            w.warnings.append(
                f"TP {tp} does not divide {model.kv_heads} KV heads; counted {heads_gpu} per GPU (rounded up)."
            )
        if tp > model.kv_heads:
            w.warnings.append(f"TP {tp} > {model.kv_heads} KV heads: each GPU keeps a replica of one KV head.")
        w.step(
            "KV heads per GPU",
            f"max(1, ⌈{model.kv_heads} / {tp}⌉)",
            heads_gpu,
            "heads",
        )
        w.step(
            "KV per token per GPU",
            f"2 x {model.layers} x {heads_gpu} x {hd} x {num(b)}",
            2 * model.layers * heads_gpu * hd * b,
            "bytes",
            name="kv_bytes_per_token_per_gpu",
        )
    glob, local, kept = _layer_tokens(model, context)
    per_layer_token = kv_elements_per_token_layer(model, tp) * b
    if local:
        w.step(
            "Tokens kept by each sliding-window layer",
            f"min({num(context)} context, {num(model.sliding_window or 0)} window) on {local} of {model.layers} layers",
            kept,
            "tokens",
        )
        formula = f"{kv_formula(model, tp)} x {num(b)} x ({glob} x {num(context)} + {local} x {num(kept)})"
    else:
        formula = f"{num(per_layer_token * model.layers)} bytes x {num(context)} tokens"
    per_request = w.step(
        "KV per request" + (" per GPU" if tp > 1 else ""),
        formula,
        per_layer_token * (glob * context + local * kept),
        "bytes",
        name="kv_bytes_per_request",
    )
    w.step(
        "KV per batch" + (" per GPU" if tp > 1 else ""),
        f"{bytes_text(per_request)} x {batch} requests",
        per_request * batch,
        "bytes",
        name="kv_bytes_per_batch",
    )
    return w.done()


def kv_free_bytes(
    gpu: Accelerator, weights_per_gpu: float, *, binary: bool = True, utilization: float = 1.0, reserve_gb: float = 0.0
) -> float:
    """Bytes per GPU left for the KV cache: utilization x memory - weights per GPU - reserve.

    ``utilization`` is vLLM's ``gpu_memory_utilization`` (the share of device memory the engine
    may use; vLLM's default is 0.9); ``reserve_gb`` is a further reserve for activations and
    the CUDA context, in the same reading (GiB when ``binary``)."""
    unit = GIB if binary else GB
    return utilization * gpu.memory_bytes(binary=binary) - weights_per_gpu - reserve_gb * unit


def kv_budget(
    model: ModelSpec,
    gpu: Accelerator,
    weight_dtype: Dtype,
    kv_dtype: Dtype,
    *,
    tp: int = 1,
    reserve_gb: float = 0.0,
    tokens_per_request: int = 2_500,
    binary: bool = True,
    memory_utilization: float = 0.9,
) -> Estimate:
    """Memory left for the KV cache on each GPU after weights / tp, vLLM's
    ``gpu_memory_utilization`` share and a reserve, and from it the maximum tokens and
    concurrent requests.

    Device memory is read as binary by default (an "80 GB" H100 holds 80 GiB); the decimal
    reading (10^9 bytes per GB) is shown beside it, and ``binary=False`` makes it the headline.
    Both readings apply the same utilisation and reserve.  Raises ``BadInput`` when the weights
    do not fit."""
    whole("tp", tp)
    whole("tokens_per_request", tokens_per_request)
    if reserve_gb < 0:
        raise BadInput("reserve_gb", f"'reserve_gb' cannot be negative (got {reserve_gb}).", "Use 0 for no reserve.")
    if not 0 < memory_utilization <= 1:
        raise BadInput(
            "memory_utilization",
            f"'memory_utilization' must be above 0 and at most 1 (got {memory_utilization}).",
            "It is vLLM's gpu_memory_utilization: 0.9 is its default, 1 uses all device memory.",
        )
    pc = parameter_count(model)
    w = Work(
        {
            "model": model.id,
            "gpu": gpu.id,
            "weight_dtype": weight_dtype.id,
            "kv_dtype": kv_dtype.id,
            "tp": tp,
            "reserve_gb": reserve_gb,
            "tokens_per_request": tokens_per_request,
            "binary": binary,
            "memory_utilization": memory_utilization,
        }
    )
    weights_total = pc.total * weight_dtype.bytes
    w.step(
        "Weights",
        f"{num(pc.total)} params x {num(weight_dtype.bytes)} bytes",
        weights_total,
        "bytes",
        name="weights_bytes",
    )
    per_gpu = w.step(
        "Weights per GPU",
        f"{bytes_text(weights_total)} / {tp}",
        weights_total / tp,
        "bytes",
        name="weights_bytes_per_gpu",
    )
    util = f"{num(memory_utilization)} x " if memory_utilization != 1 else ""
    res = f" - reserve {num(reserve_gb)}" if reserve_gb else ""
    free_bin = w.step(
        f"Left for KV per GPU, '{num(gpu.memory_gb)} GB' read as GiB (2^30 bytes, how HBM is built)",
        f"{util}{num(gpu.memory_bytes(binary=True))} - {num(per_gpu)}{res + ' GiB' if res else ''}",
        kv_free_bytes(gpu, per_gpu, binary=True, utilization=memory_utilization, reserve_gb=reserve_gb),
        "bytes",
        name="kv_free_bytes_binary",
    )
    free_dec = w.step(
        f"Left for KV per GPU, '{num(gpu.memory_gb)} GB' read as 10^9 bytes (the other reading)",
        f"{util}{num(gpu.memory_bytes(binary=False))} - {num(per_gpu)}{res + ' GB' if res else ''}",
        kv_free_bytes(gpu, per_gpu, binary=False, utilization=memory_utilization, reserve_gb=reserve_gb),
        "bytes",
        name="kv_free_bytes_decimal",
    )
    free = free_bin if binary else free_dec
    reading = "binary" if binary else "decimal"
    if free <= 0:
        usable = memory_utilization * gpu.memory_bytes(binary=binary) - reserve_gb * (GIB if binary else GB)
        min_tp = math.ceil(weights_total / max(usable, 1))
        raise BadInput(
            "tp",
            f"{model.name} in {weight_dtype.name} does not fit on {tp} x {gpu.name}: each GPU holds "
            f"{bytes_text(per_gpu)} of weights and may use {bytes_text(max(usable, 0))} "
            f"({'all' if memory_utilization == 1 else num(memory_utilization)} of {num(gpu.memory_gb)} "
            f"{'GiB' if binary else 'GB'}"
            f"{', less the reserve' if reserve_gb else ''}; {reading} reading), short by {bytes_text(-free)}.",
            f"Use at least {min_tp} GPUs (tp ≥ {min_tp}) before any KV cache, a smaller weight dtype, a larger GPU, "
            "or a higher memory_utilization.",
        )
    per_token = w.step(
        "KV per token per GPU",
        f"{model.layers} layers x {kv_formula(model, tp)} x {num(kv_dtype.bytes)} bytes",
        model.layers * kv_elements_per_token_layer(model, tp) * kv_dtype.bytes,
        "bytes",
        name="kv_bytes_per_token_per_gpu",
    )
    w.step(
        f"Max tokens in the KV cache per GPU ({reading})",
        f"⌊{num(free)} / {num(per_token)}⌋",
        math.floor(free / per_token),
        "tokens",
        name="max_tokens",
    )
    per_request = kv_bytes_for(model, kv_dtype.bytes, tokens_per_request, tp=tp)
    w.step(
        "KV per request per GPU",
        f"{num(tokens_per_request)} tokens" + (" (sliding-window layers capped)" if model.local_layers else ""),
        per_request,
        "bytes",
    )
    w.step(
        "Concurrent requests per replica",
        f"⌊{num(free)} / {num(per_request)}⌋",
        math.floor(free / per_request),
        "requests",
        name="max_requests",
    )
    if free < 0.1 * gpu.memory_bytes(binary=binary):
        w.warnings.append(
            "Less than 10 % of memory is left for the KV cache: a larger TP degree buys much more concurrency."
        )
    if reserve_gb == 0 and memory_utilization == 1:
        w.warnings.append(
            "No runtime reserve: activations, CUDA context and fragmentation take a few GB in practice "
            "(vLLM keeps 10 % back by default: memory_utilization 0.9)."
        )
    return w.done()
