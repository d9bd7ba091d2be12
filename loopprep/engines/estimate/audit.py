"""Check the numbers: the chapter's worked estimation example (§129.5), claim by claim.

Each :class:`Claim` quotes the chapter word for word (``quote`` holds only the chapter's text;
any gloss of loopprep's goes in ``explanation``), gives the exact figure computed by the
calculators at call time, a verdict (right / rough / wrong) and why.  The only numbers typed
here are the chapter's own inputs and claimed figures, never the answers.

Memory claims are judged against a span of readings rather than one: "80 GB" read as 80 GiB
(how HBM is built) with no reserve, the same at vLLM's default ``gpu_memory_utilization`` of
0.9, and the decimal 80 x 10^9 bytes.  A figure inside the span is "rough"; one outside every
reading is "wrong".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from loopprep.engines.estimate.compute import roofline
from loopprep.engines.estimate.memory import kv_budget, kv_cache, weights
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec
from loopprep.engines.estimate.steps import GB, MB, MIB, BadInput, bytes_text, ceil_div, num
from loopprep.engines.estimate.traffic import gpus_for_load, inflight, traffic


@dataclass(frozen=True)
class Claim:
    id: str
    estimation: str
    quote: str
    claimed: str
    exact: str
    verdict: str  # right | rough | wrong
    explanation: str
    calculator: str
    query: str


def _verdict(claimed: float, exact: float, *, right: float = 1.05, rough: float = 1.35) -> str:
    r = max(claimed / exact, exact / claimed)
    return "right" if r <= right else ("rough" if r <= rough else "wrong")


def _span_verdict(claimed: float, values: list[float]) -> str:
    """ "rough" when the claim lies within the span of the readings, "wrong" outside every one."""
    return "rough" if min(values) <= claimed <= max(values) else "wrong"


# (label, binary, memory_utilization): the readings of "80 GB" the memory claims are judged against
READINGS = (
    ("80 GiB, no reserve", True, 1.0),
    ("80 GiB at vLLM's default gpu_memory_utilization 0.9", True, 0.9),
    ("80 x 10^9 bytes, no reserve", False, 1.0),
)


def _span_text(values: list[float], fmt: Callable[[float], str] = num) -> str:
    """The span, then each reading's value: "41,233 to 93,662 (80 GiB, no reserve: 93,662; ...)"."""
    parts = "; ".join(f"{label}: {fmt(v)}" for (label, _, _), v in zip(READINGS, values, strict=True))
    return f"{fmt(min(values))} to {fmt(max(values))} ({parts})"


def _q(**kw: object) -> str:
    return urlencode({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in kw.items()})


def audit_chapter(
    *, llama_70b: ModelSpec, llama_8b: ModelSpec, gemma_9b: ModelSpec, h100: Accelerator, bf16: Dtype
) -> list[Claim]:
    out: list[Claim] = []
    e1, e2, e3 = "1: serving capacity of one H100", "2: KV cache per concurrent user", "3: QPS from DAU"

    # Estimation 1 -------------------------------------------------------------------------
    t = traffic(dau=1e6, sessions_per_user=5, requests_per_session=10, peak_factor=3, tokens_per_request=300)
    tpd, avg, peak = t.value("tokens_per_day"), t.value("avg_tokens_per_s"), t.value("peak_tokens_per_s")
    q1 = _q(dau=1_000_000, sessions_per_user=5, requests_per_session=10, peak_factor=3, tokens_per_request=300)
    out.append(
        Claim(
            "e1-tokens-per-day",
            e1,
            "1M DAU, 5 sessions/day, 10 turns/session, 300 output tokens/turn → 15B tokens/day",
            "15B tokens/day",
            f"{num(tpd)} tokens/day",
            _verdict(15e9, tpd),
            "Right: 1M x 5 x 10 x 300.",
            "qps",
            q1,
        )
    )
    out.append(
        Claim(
            "e1-average",
            e1,
            "→ 174k tokens/sec average",
            "174k tokens/s",
            f"{num(avg)} tokens/s",
            _verdict(174e3, avg),
            f"Right: {num(tpd)} / 86,400 s.",
            "qps",
            q1,
        )
    )
    out.append(
        Claim(
            "e1-peak",
            e1,
            "→ ~500k tokens/sec peak (3×)",
            "~500k tokens/s",
            f"{num(peak)} tokens/s",
            _verdict(500e3, peak),
            f"Right after rounding: {num(avg)} x 3.",
            "qps",
            q1,
        )
    )
    g = gpus_for_load(peak_tokens_per_s=peak, tokens_per_s_per_gpu=1000, headroom=1.3)
    g_no = g.value("gpus_no_headroom")
    out.append(
        Claim(
            "e1-gpus",
            e1,
            "→ 500 H100s for a 70B model",
            "500 H100s",
            f"{num(g.value('gpus'))} H100s",
            _verdict(500, g.value("gpus")),
            "Worked at the template's own ~1,000 tokens/s per H100 and x 1.3 headroom. "
            f"The template says to multiply by 1.3 for headroom, and the example drops it: {num(peak)} / 1,000 = "
            f"{num(g_no)} GPUs before headroom, {num(g.value('gpus'))} with it. 500 is below even the no-headroom "
            "figure.",
            "gpus",
            _q(peak_tokens_per_s=round(peak), tokens_per_s_per_gpu=1000, headroom=1.3),
        )
    )
    try:
        kv_budget(llama_70b, h100, bf16, bf16, tp=1, memory_utilization=1)
        fits = "fits"
    except BadInput as exc:
        fits = exc.message
    w70 = weights(llama_70b, bf16).value("weights_bytes")
    out.append(
        Claim(
            "e1-single-h100",
            e1,
            "Realistic decode throughput, single H100, 70B BF16 model, continuous batching: ~1,000 tokens/sec.",
            "one H100 serves a 70B BF16 model",
            f"weights alone: {bytes_text(w70)}; one H100: {num(h100.memory_gb)} GiB",
            "wrong" if fits != "fits" else "right",
            f"{fits} A 70B BF16 model needs at least {ceil_div(w70, h100.memory_bytes(binary=True))} H100s before "
            "any KV cache, "
            "so a per-GPU rate has to be read as the replica's rate divided by its GPUs.",
            "weights",
            _q(model=llama_70b.id, dtype=bf16.id, tp=1),
        )
    )
    t60 = traffic(dau=1e6, sessions_per_user=1, requests_per_session=1, peak_factor=3, tokens_per_request=5000)
    out.append(
        Claim(
            "e1-60s-tokens",
            e1,
            "1M DAU, 5k tokens per user per day, 5B tokens/day, 58k tokens/sec average, 175k at peak.",
            "5k tokens/user/day",
            f"{num(5 * 10 * 300)} tokens/user/day in the template",
            "wrong",
            f"The arithmetic holds ({num(t60.value('tokens_per_day'))} tokens/day, "
            f"{num(t60.value('avg_tokens_per_s'))} average, "
            f"{num(t60.value('peak_tokens_per_s'))} peak), but the template's own inputs give 5 x 10 x 300 = "
            f"{num(5 * 10 * 300)} "
            "tokens per user per day: the short version is a third of the long one.",
            "qps",
            _q(dau=1_000_000, sessions_per_user=1, requests_per_session=1, peak_factor=3, tokens_per_request=5000),
        )
    )
    g60 = gpus_for_load(peak_tokens_per_s=t60.value("peak_tokens_per_s"), tokens_per_s_per_gpu=1000, headroom=1.3)
    out.append(
        Claim(
            "e1-60s-gpus",
            e1,
            "175 GPUs at peak plus 30% headroom, call it 225 H100s",
            "225 H100s",
            f"{num(g60.value('gpus'))} H100s",
            "rough" if g60.value("gpus") > 225 else _verdict(225, g60.value("gpus")),
            f"{num(t60.value('peak_tokens_per_s'))} / 1,000 x 1.3 = {num(g60.value('gpus_no_headroom') * 1.3)}: "
            "rounding "
            f"capacity down leaves the headroom short; round up to {num(g60.value('gpus'))}.",
            "gpus",
            _q(peak_tokens_per_s=round(t60.value("peak_tokens_per_s")), tokens_per_s_per_gpu=1000, headroom=1.3),
        )
    )

    # Estimation 2 -------------------------------------------------------------------------
    k70 = kv_cache(llama_70b, bf16)
    per70 = k70.value("kv_bytes_per_token")
    gem = kv_cache(gemma_9b, bf16).value("kv_bytes_per_token")
    gem_wrong = 2 * gemma_9b.layers * gemma_9b.hidden * bf16.bytes / gemma_9b.heads * gemma_9b.kv_heads
    out.append(
        Claim(
            "e2-formula",
            e2,
            "KV cache memory per token = 2 (K and V) × num_layers × hidden_dim × bytes_per_element / "
            "num_attention_heads × num_kv_heads",
            "head_dim = hidden / heads",
            f"Gemma 2 9B: {num(gem)} bytes/token (head_dim {gemma_9b.head_dim})",
            "rough",
            "hidden / heads equals head_dim for Llama, but not for every model: Gemma 2 9B has hidden "
            f"{num(gemma_9b.hidden)} / "
            f"{gemma_9b.heads} heads = {num(gemma_9b.hidden / gemma_9b.heads)}, while its head_dim is "
            f"{gemma_9b.head_dim}; the "
            f"chapter's formula gives {num(gem_wrong)} bytes/token instead of {num(gem)}. Use the config's head_dim.",
            "kv",
            _q(model=gemma_9b.id, kv_dtype=bf16.id, context=1, batch=1),
        )
    )
    out.append(
        Claim(
            "e2-70b",
            e2,
            "For Llama 3 70B, BF16: approximately 0.5 MB per token",
            "0.5 MB/token",
            f"{num(per70)} bytes = {per70 / MB:.3f} MB = {per70 / MIB:.4f} MiB",
            _verdict(0.5 * MB, per70),
            f"2 x {llama_70b.layers} layers x {llama_70b.kv_heads} KV heads x {llama_70b.head_dim} x 2 bytes = "
            f"{num(per70)} bytes. "
            f"0.5 MB is {num(0.5 * MB / per70, 3)}x too high; in MiB it would be {num(0.5 * MIB / per70, 3)}x.",
            "kv",
            _q(model=llama_70b.id, kv_dtype=bf16.id, context=1, batch=1),
        )
    )
    per8 = kv_cache(llama_8b, bf16).value("kv_bytes_per_token")
    out.append(
        Claim(
            "e2-8b",
            e2,
            "For Llama 3 8B, BF16: approximately 0.1 MB per token",
            "0.1 MB/token",
            f"{num(per8)} bytes = {per8 / MB:.3f} MB = {per8 / MIB:.3f} MiB",
            _verdict(0.1 * MB, per8),
            f"2 x {llama_8b.layers} x {llama_8b.kv_heads} x {llama_8b.head_dim} x 2 = {num(per8)} bytes: "
            f"0.1 MB understates it by {num((1 - 0.1 * MB / per8) * 100, 2)} %.",
            "kv",
            _q(model=llama_8b.id, kv_dtype=bf16.id, context=1, batch=1),
        )
    )
    w = weights(llama_70b, bf16, tp=2)
    out.append(
        Claim(
            "e2-weights",
            e2,
            "70B BF16 ≈ 140 GB across 2 GPUs",
            "140 GB",
            bytes_text(w.value("weights_bytes")),
            _verdict(140 * GB, w.value("weights_bytes")),
            f"Right: {num(w.value('parameters'))} parameters (counted from the config) x 2 bytes.",
            "weights",
            _q(model=llama_70b.id, dtype=bf16.id, tp=2),
        )
    )
    spans = [
        kv_budget(llama_70b, h100, bf16, bf16, tp=2, tokens_per_request=2500, binary=bin_, memory_utilization=u)
        for _, bin_, u in READINGS
    ]
    spans_2k = [
        kv_budget(llama_70b, h100, bf16, bf16, tp=2, tokens_per_request=2000, binary=bin_, memory_utilization=u)
        for _, bin_, u in READINGS
    ]
    free = [
        e.value("kv_free_bytes_binary" if bin_ else "kv_free_bytes_decimal")
        for e, (_, bin_, _) in zip(spans, READINGS, strict=True)
    ]
    toks = [e.value("max_tokens") for e in spans]
    reqs = [e.value("max_requests") for e in spans]
    reqs_2k = [e.value("max_requests") for e in spans_2k]
    query = _q(model=llama_70b.id, gpu=h100.id, tp=2, tokens_per_request=2500, memory_utilization=1)
    out.append(
        Claim(
            "e2-free",
            e2,
            "An H100 has 80 GB HBM. After model weights (70B BF16 ≈ 140 GB across 2 GPUs), roughly 20 GB per GPU is "
            "available for KV cache.",
            "20 GB/GPU",
            _span_text(free, lambda v: f"{v / GB:.2f} GB"),
            _span_verdict(20 * GB, free),
            f"Each GPU holds half of {bytes_text(w.value('weights_bytes'))} of weights. The H100's 80 GB is 80 GiB "
            "(nvidia-smi reports 81,559 MiB), which leaves the most; vLLM by default lets itself use 90 % of it, "
            "which leaves the least; the decimal reading sits between. 20 GB is above every reading, so the "
            "chapter's later figures start from memory that is not there.",
            "kv-budget",
            query,
        )
    )
    per_gpu = spans[0].value("kv_bytes_per_token_per_gpu")
    out.append(
        Claim(
            "e2-per-gpu",
            e2,
            "At 0.25 MB per token per GPU (averaged across TP)",
            "0.25 MB/token/GPU",
            f"{num(per_gpu)} bytes = {per_gpu / MB:.3f} MB",
            _verdict(0.25 * MB, per_gpu),
            f"Half of the exact {num(per70)} bytes (about 0.33 MB per token), since TP 2 splits the "
            f"{llama_70b.kv_heads} KV heads {llama_70b.kv_heads // 2} per GPU: the error in the per-token figure "
            "carries through.",
            "kv",
            _q(model=llama_70b.id, kv_dtype=bf16.id, context=1, batch=1, tp=2),
        )
    )
    out.append(
        Claim(
            "e2-tokens",
            e2,
            "20 GB ≈ 80,000 tokens of KV cache per GPU",
            "80,000 tokens/GPU",
            _span_text(toks) + " tokens",
            _span_verdict(80_000, toks),
            f"20 GB / 0.25 MB is 80,000. With the exact {num(per_gpu)} bytes per token per GPU, the free memory "
            "holds between the figures shown, depending on how much of the 80 GiB the server keeps back: two "
            "errors (too much free memory, too large a token) partly cancel and land inside the span.",
            "kv-budget",
            query,
        )
    )
    out.append(
        Claim(
            "e2-concurrency",
            e2,
            "KV cache capacity per GPU: 80,000 ÷ 2,500 ≈ 32 concurrent requests per GPU",
            "32 requests",
            _span_text(reqs) + " requests",
            _span_verdict(32, reqs),
            f"Each request of 2,500 tokens holds {bytes_text(2500 * per_gpu)} per GPU. The count is per replica "
            "of 2 GPUs, not per GPU: each request's cache is split across both.",
            "kv-budget",
            query,
        )
    )
    out.append(
        Claim(
            "e2-60s",
            e2,
            "That’s ~80k tokens of cache. At 2k tokens per request, I can keep ~40 requests in flight per GPU "
            "simultaneously.",
            "40 requests",
            _span_text(reqs_2k) + " requests",
            _span_verdict(40, reqs_2k),
            "The short version silently changes the request from 2,500 to 2,000 tokens and inherits the 20 GB and "
            "0.5 MB errors.",
            "kv-budget",
            _q(model=llama_70b.id, gpu=h100.id, tp=2, tokens_per_request=2000, memory_utilization=1),
        )
    )

    # Estimation 3 -------------------------------------------------------------------------
    q = traffic(dau=1e6, sessions_per_user=3, requests_per_session=10, peak_factor=3)
    out.append(
        Claim(
            "e3-avg",
            e3,
            "1M DAU × 30 requests ÷ 86,400 = 347 average QPS",
            "347 QPS",
            f"{num(q.value('avg_qps'))} QPS",
            _verdict(347, q.value("avg_qps")),
            "Right.",
            "qps",
            _q(dau=1_000_000, sessions_per_user=3, requests_per_session=10, peak_factor=3, tokens_per_request=0),
        )
    )
    lo, hi = q.value("avg_qps") * 3, q.value("avg_qps") * 5
    out.append(
        Claim(
            "e3-peak",
            e3,
            "Peak ~1,000–1,750 QPS.",
            "1,000–1,750 QPS",
            f"{num(lo)}–{num(hi)} QPS",
            _verdict(1750, hi),
            "Right after rounding, with the template's peak factor of 3 to 5.",
            "qps",
            _q(dau=1_000_000, sessions_per_user=3, requests_per_session=10, peak_factor=5, tokens_per_request=0),
        )
    )
    q10 = traffic(dau=10e6, sessions_per_user=3, requests_per_session=5, peak_factor=4)
    out.append(
        Claim(
            "e3-60s",
            e3,
            "10M DAU, 3 sessions/day, 5 turns each — that’s 150M turns/day, 1,736 average QPS, call it 7k QPS at peak "
            "with a 4× peak factor.",
            "1,736 avg, 7k peak",
            f"{num(q10.value('avg_qps'))} avg, {num(q10.value('peak_qps'))} peak",
            _verdict(7000, q10.value("peak_qps")),
            "Right.",
            "qps",
            _q(dau=10_000_000, sessions_per_user=3, requests_per_session=5, peak_factor=4, tokens_per_request=0),
        )
    )
    lit = inflight(arrival_rate=q10.value("peak_qps"), latency_s=0.5, latency_kind="p99")
    # A chat turn of the chapter's own 300 output tokens (estimation 1) on Llama 3 70B, TP 2, H100s,
    # batch 32 at 2,000 tokens of context: the roofline's memory bound caps each sequence's decode speed.
    r = roofline(llama_70b, h100, bf16, bf16, batch=32, context=2000, tp=2)
    per_seq = r.value("tokens_per_s_bound") / 32
    turn_s = 300 / per_seq
    lit_turn = inflight(arrival_rate=q10.value("peak_qps"), latency_s=turn_s).value("in_flight")
    # A two-point latency distribution: 99 % of requests at 0.5 s, 1 % at 60 s.  Its p99 is 0.5 s
    # and its mean is above it, so a p99 is no upper bound on the mean.
    tail_mean = 0.99 * 0.5 + 0.01 * 60
    out.append(
        Claim(
            "e3-little",
            e3,
            "At 500ms p99 latency, Little’s Law gives me 3,500 in-flight requests simultaneously",
            "3,500 in flight",
            f"at least {num(lit_turn)} in flight ({num(q10.value('peak_qps'))} req/s x {num(turn_s, 3)} s per turn)",
            "wrong" if lit_turn > 1.35 * lit.value("in_flight") else "rough",
            f"The multiplication is right ({num(q10.value('peak_qps'))} x 0.5 s), but two things are not. Little's law "
            "takes the MEAN time in the system, and a p99 is not an upper bound on the mean in general: if 99 % of "
            f"requests take 0.5 s and 1 % take 60 s, the p99 is 0.5 s and the mean is {tail_mean:.3f} s. And a "
            "chat turn is not 500 ms: the chapter's own 300 output tokens, decoded by Llama 3 70B on two H100s in a "
            f"batch of 32, run at most {num(per_seq, 3)} tokens/s per sequence (the roofline's memory bound), so a "
            f"turn spends at least {num(turn_s, 3)} s in the system before queueing and prefill, and the peak load "
            f"keeps at least {num(lit_turn)} requests in flight, not 3,500.",
            "inflight",
            _q(arrival_rate=round(q10.value("peak_qps")), latency_s=round(turn_s, 2), latency_kind="mean"),
        )
    )
    return out
