"""Property tests: KV grows linearly in layers and context until the window; GPUs never fewer
than load ÷ per-GPU rate; every step has a finite value; the grader is symmetric."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from loopprep.engines.estimate import memory, traffic
from loopprep.engines.estimate.drills import grade
from loopprep.engines.estimate.specs import Dtype, ModelSpec

BF16 = Dtype("bf16", "BF16", 2)
FAST = settings(max_examples=60, deadline=None)


def model(layers: int, kv: int = 8, window: int | None = None, local: int = 0) -> ModelSpec:
    return ModelSpec(
        "m",
        "M",
        layers=layers,
        hidden=4096,
        heads=32,
        kv_heads=kv,
        head_dim=128,
        ffn=1024,
        vocab=1000,
        sliding_window=window,
        local_layers=local,
    )


@FAST
@given(layers=st.integers(1, 200), context=st.integers(1, 200_000), k=st.integers(2, 5))
def test_kv_linear_in_layers_and_context(layers: int, context: int, k: int) -> None:
    base = memory.kv_cache(model(layers), BF16, context=context).value("kv_bytes_per_request")
    assert memory.kv_cache(model(layers * k), BF16, context=context).value("kv_bytes_per_request") == k * base
    assert memory.kv_cache(model(layers), BF16, context=context * k).value("kv_bytes_per_request") == k * base


@FAST
@given(context=st.integers(1, 100_000), window=st.integers(1, 50_000), local=st.integers(0, 40))
def test_window_layers_stop_growing_at_the_window(context: int, window: int, local: int) -> None:
    m = model(40, window=window, local=local)
    per = 2 * 8 * 128 * 2
    got = memory.kv_cache(m, BF16, context=context).value("kv_bytes_per_request")
    assert got == per * ((40 - local) * context + local * min(context, window))
    more = memory.kv_cache(m, BF16, context=context + 1).value("kv_bytes_per_request")
    assert more - got == per * ((40 - local) + (local if context < window else 0))


@FAST
@given(tp=st.integers(1, 64))
def test_kv_per_gpu_never_below_one_head(tp: int) -> None:
    e = memory.kv_cache(model(10), BF16, tp=tp)
    per_gpu = e.value("kv_bytes_per_token_per_gpu") if tp > 1 else e.value("kv_bytes_per_token")
    assert per_gpu >= 2 * 10 * 1 * 128 * 2
    assert per_gpu * tp >= e.value("kv_bytes_per_token")


@FAST
@given(load=st.floats(1, 1e9), rate=st.floats(1, 1e6), headroom=st.floats(1, 5), tp=st.integers(1, 16))
def test_gpus_never_fewer_than_load_over_rate(load: float, rate: float, headroom: float, tp: int) -> None:
    e = traffic.gpus_for_load(peak_tokens_per_s=load, tokens_per_s_per_gpu=rate, headroom=headroom, tp=tp)
    gpus = e.value("gpus")
    assert gpus >= load / rate * (1 - 1e-12)
    assert gpus >= load / rate * headroom * (1 - 1e-12)
    assert gpus % tp == 0 and gpus == int(gpus)
    assert gpus - load / rate * headroom < tp + 1e-9  # never more than one spare replica


@FAST
@given(
    dau=st.floats(1, 1e12), s=st.floats(0.1, 100), r=st.floats(0.1, 100), peak=st.floats(1, 10), tok=st.floats(0, 1e4)
)
def test_traffic_steps_are_finite_and_peak_ge_average(dau: float, s: float, r: float, peak: float, tok: float) -> None:
    e = traffic.traffic(dau=dau, sessions_per_user=s, requests_per_session=r, peak_factor=peak, tokens_per_request=tok)
    assert all(math.isfinite(step.value) for step in e.steps)
    assert e.value("peak_qps") >= e.value("avg_qps")


@FAST
@given(a=st.floats(1e-6, 1e12), t=st.floats(1e-6, 1e12))
def test_grade_is_symmetric_and_ratio_at_least_one(a: float, t: float) -> None:
    g1, g2 = grade(a, t), grade(t, a)
    assert g1.grade == g2.grade and g1.ratio >= 1 and math.isclose(g1.ratio, g2.ratio)
