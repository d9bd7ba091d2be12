"""Compute: a decode/prefill roofline and training compute (6 x parameters x tokens)."""

from __future__ import annotations

from loopprep.engines.estimate.memory import kv_bytes_for
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec, matmul_rate, parameter_count
from loopprep.engines.estimate.steps import (
    SECONDS_PER_DAY,
    BadInput,
    Estimate,
    Quantity,
    Work,
    bytes_text,
    fraction,
    num,
    positive,
    whole,
)


def roofline(
    model: ModelSpec,
    gpu: Accelerator,
    weight_dtype: Dtype,
    kv_dtype: Dtype,
    *,
    batch: int = 1,
    context: int = 2_000,
    tp: int = 1,
    phase: str = "decode",
    activation_dtype: Dtype | None = None,
) -> Estimate:
    """Upper bounds on tokens/s for one replica of ``tp`` GPUs.

    * memory: each forward step reads all weights once plus the KV cache of every sequence in
      the batch; a decode step makes ``batch`` tokens, a prefill step ``batch x context``;
      bound = tokens per step x bandwidth / bytes per step;
    * compute: about 2 x active parameters FLOPs per token (attention FLOPs ignored);
      bound = peak dense FLOP/s / (2 x active parameters), at the rate the weight and
      activation formats earn on this chip (``matmul_rate``: weight-only INT4/INT8/MXFP4 run at
      the BF16 rate; only W8A8 earns the 8-bit rate).  ``activation_dtype`` None means BF16
      activations (weight-only); the result ``compute_rate`` names the rate assumed.
    The smaller bound binds.  Real systems reach a fraction of either (say 50–80 %)."""
    whole("batch", batch)
    whole("context", context)
    whole("tp", tp)
    if phase not in ("decode", "prefill"):
        raise BadInput("phase", f"'phase' must be 'decode' or 'prefill' (got {phase!r}).")
    pc = parameter_count(model)
    w = Work(
        {
            "model": model.id,
            "gpu": gpu.id,
            "weight_dtype": weight_dtype.id,
            "kv_dtype": kv_dtype.id,
            "batch": batch,
            "context": context,
            "tp": tp,
            "phase": phase,
            "activation_dtype": activation_dtype.id if activation_dtype else "bf16",
        }
    )
    act = activation_dtype or Dtype("bf16", "BF16", 2)
    mm = matmul_rate(gpu, weight_dtype, act)
    tokens_step = batch if phase == "decode" else batch * context
    if model.experts > 1:
        # Each token picks k of E experts per layer: a step of n tokens touches, on average,
        # E x (1 - (1 - k/E)^n) of them (routing taken as uniform), and reads only those.
        per_expert = model.n_moe_layers * 3 * model.hidden * model.ffn
        k, e_count = model.experts_per_token, model.experts
        touched = w.step(
            "Experts read per layer per step (uniform routing)",
            f"{e_count} x (1 - (1 - {k}/{e_count})^{num(tokens_step)})",
            e_count * (1 - (1 - k / e_count) ** tokens_step),
            "experts",
        )
        params_read = pc.total - e_count * per_expert + touched * per_expert
        formula = (
            f"({num(pc.total)} - {num(e_count - touched)} unread experts x {num(per_expert)}) "
            f"x {num(weight_dtype.bytes)} bytes"
        )
    else:
        params_read = pc.total
        formula = f"{num(pc.total)} params x {num(weight_dtype.bytes)} bytes"
    wbytes = w.step("Weights read per step", formula, params_read * weight_dtype.bytes, "bytes")
    # the cache of one sequence across the replica's GPUs (a latent cache is held whole on each)
    kv_seq = kv_bytes_for(model, kv_dtype.bytes, context, tp=tp) * tp
    kv = w.step(
        "KV read per step",
        f"{batch} sequences x {bytes_text(kv_seq)}"
        if phase == "decode"
        else "prefill writes, not reads, the KV cache: 0",
        kv_seq * batch if phase == "decode" else 0.0,
        "bytes",
    )
    w.step("Tokens per step", f"{batch}" if phase == "decode" else f"{batch} x {num(context)}", tokens_step, "tokens")
    bw = w.step(
        "Memory bandwidth per replica", f"{tp} x {num(gpu.bandwidth_gbs)} GB/s", tp * gpu.bandwidth_gbs * 1e9, "bytes/s"
    )
    mem_bound = w.step(
        "Memory bound",
        f"{tokens_step} x {num(bw)} / {num(wbytes + kv)}",
        tokens_step * bw / (wbytes + kv),
        "tokens/s",
        name="memory_bound_tokens_per_s",
    )
    flops = w.step(
        f"Peak dense FLOP/s per replica at the {mm.kind.upper()} rate ({mm.why})",
        f"{tp} x {num(mm.tflops)} TFLOP/s",
        tp * mm.tflops * 1e12,
        "FLOP/s",
    )
    w.result["compute_rate"] = Quantity(mm.kind, "tensor rate")
    per_tok = w.step("FLOPs per token", f"2 x {num(pc.active)} active params", 2 * pc.active, "FLOP")
    comp_bound = w.step(
        "Compute bound",
        f"{num(flops)} / {num(per_tok)}",
        flops / per_tok,
        "tokens/s",
        name="compute_bound_tokens_per_s",
    )
    bound = min(mem_bound, comp_bound)
    w.step(
        "Upper bound (the smaller)",
        f"min({num(mem_bound)}, {num(comp_bound)})",
        bound,
        "tokens/s",
        name="tokens_per_s_bound",
    )
    w.result["binding"] = Quantity("memory" if mem_bound <= comp_bound else "compute", "bound")
    if phase == "decode":
        # batch where the two bounds meet, ignoring the KV term's growth: B* = flops x bytes / (bw x FLOPs per token)
        w.step(
            "Batch where compute starts to bind (weights only)",
            f"{num(flops)} x {num(wbytes)} / ({num(bw)} x {num(per_tok)})",
            flops * wbytes / (bw * per_tok),
            "sequences",
            name="critical_batch",
        )
    total_bytes = pc.total * weight_dtype.bytes
    if total_bytes > tp * gpu.memory_bytes(binary=True):
        w.warnings.append(
            f"The weights alone ({bytes_text(total_bytes)}) do not fit in {tp} x {gpu.name} "
            f"({num(tp * gpu.memory_gb)} GiB): this bound is for a replica that cannot exist; raise tp."
        )
    w.warnings.append(f"Compute counted at the {mm.kind.upper()} rate: {mm.why}.")
    return w.done()


def training(
    *,
    parameters: float,
    tokens: float,
    gpu: Accelerator,
    mfu: float = 0.4,
    gpus: int = 1,
    dtype_id: str = "bf16",
) -> Estimate:
    """Training compute ≈ 6 x parameters x tokens FLOPs (2 forward + 4 backward); GPU-days =
    FLOPs / (peak dense FLOP/s x MFU) / 86,400; wall-clock days on ``gpus`` GPUs."""
    positive("parameters", parameters)
    positive("tokens", tokens)
    fraction("mfu", mfu)
    whole("gpus", gpus)
    w = Work({"parameters": parameters, "tokens": tokens, "gpu": gpu.id, "mfu": mfu, "gpus": gpus, "dtype": dtype_id})
    flops = w.step(
        "Training FLOPs",
        f"6 x {num(parameters)} params x {num(tokens)} tokens",
        6 * parameters * tokens,
        "FLOP",
        name="flops",
    )
    peak = gpu.tflops(dtype_id) * 1e12
    eff = w.step(
        "Achieved FLOP/s per GPU", f"{num(gpu.tflops(dtype_id))} TFLOP/s x MFU {num(mfu)}", peak * mfu, "FLOP/s"
    )
    gd = w.step(
        "GPU-days", f"{num(flops)} / {num(eff)} / 86,400 s", flops / eff / SECONDS_PER_DAY, "GPU-days", name="gpu_days"
    )
    w.step("GPU-hours", f"{num(gd)} x 24", gd * 24, "GPU-hours", name="gpu_hours")
    w.step(f"Wall-clock days on {gpus} GPUs", f"{num(gd)} / {gpus}", gd / gpus, "days", name="wall_days")
    if mfu > 0.6:
        w.warnings.append(f"MFU {num(mfu)} is optimistic: large dense training runs report about 0.35–0.55.")
    if tokens < 20 * parameters * 0.5:
        w.warnings.append("Fewer than ~10 tokens per parameter: far below the compute-optimal ~20 (Chinchilla).")
    return w.done()
