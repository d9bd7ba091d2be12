"""Drills: the grader's boundaries, deterministic templates, diagnoses, missed types first."""

from __future__ import annotations

import pytest

from loopprep.engines.estimate import drills
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec
from loopprep.engines.estimate.steps import BadInput

WORLD = drills.DrillWorld(
    models=[
        ModelSpec(
            "llama-3-70b",
            "Llama 3 70B",
            layers=80,
            hidden=8192,
            heads=64,
            kv_heads=8,
            head_dim=128,
            ffn=28672,
            vocab=128256,
        ),
        ModelSpec(
            "gemma-2-9b",
            "Gemma 2 9B",
            layers=42,
            hidden=3584,
            heads=16,
            kv_heads=8,
            head_dim=256,
            ffn=14336,
            vocab=256000,
            tied_embeddings=True,
            sliding_window=4096,
            local_layers=21,
            norms_per_layer=4,
        ),
    ],
    gpus=[Accelerator("h100-sxm", "H100 SXM", 80, 3350, 989.5, 1979)],
    dtypes={
        d.id: d
        for d in (
            Dtype("fp32", "FP32", 4),
            Dtype("bf16", "BF16", 2),
            Dtype("fp8", "FP8", 1),
            Dtype("int4", "INT4", 0.5),
        )
    },
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (100, "exact"),
        (110, "exact"),
        (100 / 1.1, "exact"),
        (110.01, "good"),
        (90.9, "good"),
        (200, "good"),
        (50, "good"),
        (200.01, "order"),
        (49.99, "order"),
        (1000, "order"),
        (10, "order"),
        (1000.1, "off"),
        (9.99, "off"),
    ],
)
def test_grade_boundaries(answer: float, expected: str) -> None:
    assert drills.grade(answer, 100).grade == expected


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf")])
def test_grade_refuses_non_positive_answers(bad: float) -> None:
    with pytest.raises(BadInput):
        drills.grade(bad, 100)


@pytest.mark.parametrize("kind", drills.KINDS)
def test_every_template_is_deterministic_and_states_its_factors(kind: str) -> None:
    for seed in range(30):
        a = drills.make_drill(kind, seed, WORLD)
        b = drills.make_drill(kind, seed, WORLD)
        assert a == b and a.truth > 0 and a.factors and a.steps and a.question.endswith("?")
        assert drills.grade_drill(a.truth, a).grade == "exact"


def test_seeds_vary_the_inputs() -> None:
    assert len({drills.make_drill("gpus", s, WORLD).question for s in range(30)}) > 10


def test_diagnosis_names_the_slip() -> None:
    d = drills.make_drill("gpus", 3, WORLD)
    peak = next(s for s in d.slips if "peak" in s.explanation and "both" not in s.explanation)
    g = drills.grade_drill(d.truth * peak.factor, d)
    assert "peak" in g.diagnosis
    kv = next(
        drills.make_drill("kv", s, WORLD) for s in range(50) if "Llama" in drills.make_drill("kv", s, WORLD).question
    )
    g = drills.grade_drill(kv.truth * 8, kv)  # all 64 heads instead of 8 KV heads
    assert "KV heads" in g.diagnosis
    g = drills.grade_drill(kv.truth * 3.7, kv)
    assert "factor of 3.7" in g.diagnosis


def test_unknown_kind() -> None:
    with pytest.raises(BadInput) as exc:
        drills.make_drill("nope", 1, WORLD)
    assert "gpus" in exc.value.hint


def test_missed_types_come_back_first() -> None:
    assert drills.next_kind([]) == drills.KINDS[0]
    history = [(k, "exact") for k in drills.KINDS] + [("kv", "off"), ("kv", "exact"), ("train", "order")]
    assert drills.next_kind(history) == "train"  # 1 miss of 2 beats 1 miss of 3
    history += [("train", "exact"), ("train", "exact")]
    assert drills.next_kind(history) == "kv"
    # with no misses, the least practised type comes first
    assert drills.next_kind([(k, "exact") for k in drills.KINDS if k != "qps"]) == "qps"
