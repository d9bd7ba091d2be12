"""Timed estimation drills: templates with seeded, realistic inputs, and a log-scale grader.

A drill is regenerated from ``(kind, seed)`` alone, so a page or a terminal can hand out a
drill, take an answer later and grade it without storing the question.  Every drill states
each factor it expects the user to apply; its reference chain comes from the calculators.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from loopprep.engines.estimate.compute import training
from loopprep.engines.estimate.memory import kv_cache, weights
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec, parameter_count
from loopprep.engines.estimate.steps import BadInput, Step, num
from loopprep.engines.estimate.traffic import gpus_for_load, inflight, traffic

DRILL_SECONDS = 60
GRADES = ("exact", "good", "order", "off")
GRADE_LABELS = {
    "exact": "Exact (within 10 %)",
    "good": "Good (within 2x)",
    "order": "Right order of magnitude",
    "off": "Off",
}
_BOUNDS = ((1.1, "exact"), (2.0, "good"), (10.0, "order"))


@dataclass(frozen=True)
class Slip:
    """A common mistake: the user's answer ≈ truth x ``factor`` when they made it."""

    factor: float
    explanation: str


@dataclass(frozen=True)
class Drill:
    kind: str
    seed: int
    title: str
    question: str
    factors: tuple[str, ...]
    truth: float
    unit: str
    steps: tuple[Step, ...]
    slips: tuple[Slip, ...]


@dataclass(frozen=True)
class Grade:
    ratio: float
    grade: str
    label: str
    diagnosis: str


@dataclass(frozen=True)
class DrillWorld:
    """What the templates may draw from (presets, passed in by the service)."""

    models: Sequence[ModelSpec]
    gpus: Sequence[Accelerator]
    dtypes: Mapping[str, Dtype]


def grade(answer: float, truth: float) -> Grade:
    """r = max(answer / truth, truth / answer); r ≤ 1.1 exact, ≤ 2 good, ≤ 10 order, else off
    (boundaries inclusive, with a 1e-9 relative tolerance so 110 vs 100 counts as exact)."""
    if not (isinstance(answer, (int, float)) and math.isfinite(answer)) or answer <= 0:
        raise BadInput(
            "answer", f"The answer must be a number above 0 (got {answer}).", "Type digits, e.g. 350 or 3.5e2."
        )
    if truth <= 0:
        raise ValueError("truth must be positive")
    r = max(answer / truth, truth / answer)
    for bound, name in _BOUNDS:
        if r <= bound * (1 + 1e-9):
            return Grade(r, name, GRADE_LABELS[name], "")
    return Grade(r, "off", GRADE_LABELS["off"], "")


def diagnose(answer: float, drill: Drill) -> str:
    """The slip that best explains the answer (within 15 % of truth x its factor), or ''."""
    best: tuple[float, str] | None = None
    for slip in drill.slips:
        err = abs(math.log(answer / (drill.truth * slip.factor)))
        if err <= math.log(1.15) and (best is None or err < best[0]):
            best = (err, slip.explanation)
    return best[1] if best else ""


def grade_drill(answer: float, drill: Drill) -> Grade:
    g = grade(answer, drill.truth)
    if g.grade == "exact":
        return g
    why = diagnose(answer, drill)
    if not why:
        side = "above" if answer > drill.truth else "below"
        why = (
            f"Your answer is {side} the reference by a factor of {num(g.ratio, 3)}: "
            "walk the chain below and find the step where yours differs."
        )
    return Grade(g.ratio, g.grade, g.label, why)


def _pick(rng: random.Random, options: Sequence[float]) -> float:
    return options[rng.randrange(len(options))]


def _gpus(rng: random.Random, world: DrillWorld) -> Drill:
    dau = _pick(rng, [1e6, 2e6, 5e6, 8e6, 10e6, 20e6, 50e6])
    sessions = _pick(rng, [2, 3, 4, 5])
    turns = _pick(rng, [4, 5, 6, 8, 10])
    out = _pick(rng, [200, 300, 400, 500, 800])
    peak = _pick(rng, [2, 3, 4, 5])
    per_gpu = _pick(rng, [800, 1000, 1500, 2000, 3000, 5000])
    headroom = _pick(rng, [1.2, 1.3, 1.5])
    t = traffic(
        dau=dau, sessions_per_user=sessions, requests_per_session=turns, peak_factor=peak, tokens_per_request=out
    )
    g = gpus_for_load(peak_tokens_per_s=t.value("peak_tokens_per_s"), tokens_per_s_per_gpu=per_gpu, headroom=headroom)
    return Drill(
        "gpus",
        0,
        "GPUs for a chat load",
        f"{num(dau)} DAU, {sessions} sessions a day, {turns} turns a session, {out} output tokens a turn, "
        f"{peak}x peak, {num(per_gpu)} output tokens/s per GPU, {headroom}x headroom: how many GPUs?",
        (
            "a day has 86,400 s",
            f"peak = average x {peak}",
            f"divide by {num(per_gpu)} tokens/s per GPU",
            f"multiply by {headroom} headroom",
            "round up to whole GPUs",
        ),
        g.value("gpus"),
        "GPUs",
        t.steps + g.steps,
        (
            Slip(1 / peak, f"You left out the {peak}x peak factor (sized for the average)."),
            Slip(1 / headroom, f"You left out the {headroom}x headroom."),
            Slip(1 / (peak * headroom), "You left out both the peak factor and the headroom."),
            Slip(24, "You divided by 3,600 (an hour) instead of 86,400 s (a day)."),
            Slip(1 / turns, "You counted one request per session instead of one per turn."),
        ),
    )


def _qps(rng: random.Random, world: DrillWorld) -> Drill:
    dau = _pick(rng, [0.5e6, 1e6, 3e6, 10e6, 30e6, 100e6])
    sessions = _pick(rng, [1, 2, 3, 5])
    reqs = _pick(rng, [3, 5, 10, 20])
    peak = _pick(rng, [3, 4, 5])
    t = traffic(dau=dau, sessions_per_user=sessions, requests_per_session=reqs, peak_factor=peak)
    return Drill(
        "qps",
        0,
        "Peak QPS from daily users",
        f"{num(dau)} DAU, {sessions} sessions a day, {reqs} requests a session, {peak}x peak: peak QPS?",
        ("a day has 86,400 s", f"peak = average x {peak}"),
        t.value("peak_qps"),
        "requests/s",
        t.steps,
        (
            Slip(1 / peak, f"You gave the average, not the peak (x {peak})."),
            Slip(24, "You divided by 3,600 s instead of 86,400 s."),
            Slip(1 / reqs, "You forgot the requests per session."),
            Slip(1 / sessions, "You forgot the sessions per day."),
        ),
    )


def _kv(rng: random.Random, world: DrillWorld) -> Drill:
    # latent-attention models (DeepSeek-V3) cache a compressed latent, not K and V per head: the
    # question's heads-and-head_dim framing does not apply to them
    decoders = [m for m in world.models if m.arch == "decoder" and not m.mla]
    m = decoders[rng.randrange(len(decoders))]
    dt = world.dtypes["bf16"] if rng.random() < 0.7 else world.dtypes["fp8"]
    e = kv_cache(m, dt)
    per_token = e.value("kv_bytes_per_token")
    slips = [
        Slip(0.5, "You counted only K or only V: the cache holds both (x 2)."),
        Slip(2.0, f"You used {num(dt.bytes * 2)} bytes per element; {dt.name} is {num(dt.bytes)}."),
        Slip(1000 / 1024, "You converted with 1,024 instead of 1,000 bytes per kB."),
    ]
    if m.kv_heads != m.heads:
        slips.insert(
            0,
            Slip(
                m.heads / m.kv_heads,
                f"You used all {m.heads} attention heads: with grouped-query attention only the {m.kv_heads} KV "
                "heads are cached.",
            ),
        )
    if m.head_dim * m.heads != m.hidden:
        slips.insert(
            0,
            Slip(
                m.hidden / (m.heads * m.head_dim),
                f"You took head_dim = hidden / heads = {num(m.hidden / m.heads)}; the config says {m.head_dim}.",
            ),
        )
    return Drill(
        "kv",
        0,
        "KV cache per token",
        f"{m.name}: {m.layers} layers, {m.heads} heads, {m.kv_heads} KV heads, head_dim {m.head_dim}, "
        f"hidden {num(m.hidden)}, KV cache in {dt.name}. KV cache per token, in kB (1 kB = 1,000 bytes)?",
        (
            "K and V: x 2",
            "every layer",
            "KV heads, not attention heads",
            "head_dim as given",
            f"{num(dt.bytes)} byte{'' if dt.bytes == 1 else 's'} per {dt.name} element",
        ),
        per_token / 1000,
        "kB",
        (*e.steps[:1], Step("In kB", f"{num(per_token)} bytes / 1,000", per_token / 1000, "kB")),
        tuple(slips),
    )


def _weights(rng: random.Random, world: DrillWorld) -> Drill:
    m = world.models[rng.randrange(len(world.models))]
    ids = [d for d in ("fp32", "bf16", "fp8", "int4") if d in world.dtypes]
    dt = world.dtypes[ids[rng.randrange(len(ids))]]
    e = weights(m, dt)
    params = parameter_count(m).total
    return Drill(
        "weights",
        0,
        "Weights memory",
        f"{m.name} has {num(params)} parameters. Weights in {dt.name}, in GB (10^9 bytes)?",
        (f"{num(dt.bytes)} byte{'' if dt.bytes == 1 else 's'} per {dt.name} parameter", "1 GB = 10^9 bytes"),
        e.value("weights_bytes") / 1e9,
        "GB",
        (
            *e.steps,
            Step("In GB", f"{num(e.value('weights_bytes'))} bytes / 10^9", e.value("weights_bytes") / 1e9, "GB"),
        ),
        (
            Slip(8, "You multiplied by bits, not bytes."),
            Slip(2 / dt.bytes, "You assumed 2 bytes per parameter whatever the dtype."),
            Slip(1e9 / 2**30, "You gave GiB (2^30), not GB (10^9)."),
        ),
    )


def _inflight(rng: random.Random, world: DrillWorld) -> Drill:
    qps = _pick(rng, [200, 500, 1200, 3000, 7000, 20000])
    lat_ms = _pick(rng, [80, 150, 300, 500, 1200, 4000])
    e = inflight(arrival_rate=qps, latency_s=lat_ms / 1000)
    return Drill(
        "inflight",
        0,
        "Requests in flight",
        f"{num(qps)} requests/s arrive; mean latency is {num(lat_ms)} ms. How many requests are in flight on average?",
        ("Little's law: L = λ x W", "W is the mean latency, in seconds"),
        e.value("in_flight"),
        "requests",
        e.steps,
        (
            Slip(1000, "You multiplied by milliseconds, not seconds."),
            Slip(1 / 1000, "You divided the milliseconds by 1,000 twice."),
        ),
    )


def _train(rng: random.Random, world: DrillWorld) -> Drill:
    gpu = next((g for g in world.gpus if g.id == "h100-sxm"), world.gpus[0])
    params = _pick(rng, [1e9, 3e9, 7e9, 8e9, 13e9, 70e9])
    tokens = params * _pick(rng, [20, 100, 200])
    mfu = _pick(rng, [0.3, 0.4, 0.5])
    e = training(parameters=params, tokens=tokens, gpu=gpu, mfu=mfu)
    return Drill(
        "train",
        0,
        "Training GPU-days",
        f"Train a {num(params / 1e9)}B-parameter dense model on {num(tokens / 1e9)}B tokens on {gpu.name} "
        f"({num(gpu.bf16_tflops)} dense BF16 TFLOP/s) at {num(mfu)} MFU. GPU-days?",
        ("6 x parameters x tokens FLOPs", f"{num(gpu.bf16_tflops)} TFLOP/s x {num(mfu)} MFU", "a day has 86,400 s"),
        e.value("gpu_days"),
        "GPU-days",
        e.steps,
        (
            Slip(1 / 3, "You used 2 x N x D (forward only): training is about 6 x N x D."),
            Slip(mfu, "You left out the MFU (assumed peak FLOP/s)."),
            Slip(24, "You gave GPU-hours, not GPU-days."),
        ),
    )


TEMPLATES: dict[str, tuple[str, Callable[[random.Random, DrillWorld], Drill]]] = {
    "gpus": ("GPUs for a chat load", _gpus),
    "qps": ("Peak QPS from daily users", _qps),
    "kv": ("KV cache per token", _kv),
    "weights": ("Weights memory", _weights),
    "inflight": ("Requests in flight", _inflight),
    "train": ("Training GPU-days", _train),
}
KINDS = tuple(TEMPLATES)


def make_drill(kind: str, seed: int, world: DrillWorld) -> Drill:
    """The drill of ``kind`` for ``seed`` (the same pair always gives the same drill)."""
    if kind not in TEMPLATES:
        raise BadInput("kind", f"Unknown drill type {kind!r}.", f"Known types: {', '.join(KINDS)}.")
    d = TEMPLATES[kind][1](random.Random(f"{kind}:{seed}"), world)
    return Drill(kind, seed, d.title, d.question, d.factors, d.truth, d.unit, d.steps, d.slips)


def next_kind(history: Sequence[tuple[str, str]], *, recent: int = 10) -> str:
    """The drill type to practise next: the highest miss rate (grade 'order' or 'off') over each
    type's last ``recent`` attempts first, then the least practised, then template order.
    ``history`` is (kind, grade) pairs, oldest first."""
    stats: dict[str, list[str]] = {k: [] for k in KINDS}
    for kind, g in history:
        if kind in stats:
            stats[kind].append(g)

    def key(k: str) -> tuple[float, int, int]:
        last = stats[k][-recent:]
        miss = sum(g in ("order", "off") for g in last) / len(last) if last else 0.0
        return (-miss, len(stats[k]), KINDS.index(k))

    return min(KINDS, key=key)
