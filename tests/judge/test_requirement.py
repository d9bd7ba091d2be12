"""Stated requirements are verdicts: with ``perf.require`` a solution far slower than the reference
on the larger input (timed side by side) is "too slow", and running out of memory there is a
memory-limit verdict; without ``require`` neither changes the verdict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge
from loopprep.judge.runner import judge as run

REFERENCE = (
    "import numpy as np\n\n"
    "def pair_sum(x):\n"
    "    x = np.asarray(x, dtype=float)\n"
    "    return float((x.sum() ** 2 - (x * x).sum()) / 2)\n"
)
LOOPS = (
    "def pair_sum(x):\n"
    "    total = 0.0\n"
    "    for i in range(len(x)):\n"
    "        for j in range(i + 1, len(x)):\n"
    "            total += x[i] * x[j]\n"
    "    return total\n"
)
OUTER = (
    "import numpy as np\n\n"
    "def pair_sum(x):\n"
    "    x = np.asarray(x, dtype=float)\n"
    "    return float(np.triu(np.outer(x, x), 1).sum())\n"
)


def _problem(require: float | None) -> Problem:
    return Problem.model_validate(
        {
            "id": "pair-sum",
            "title": "Sum of pairwise products",
            "difficulty": "easy",
            "topics": ["numerics"],
            "roles": ["ml-engineer"],
            "companies": ["faang"],
            "vectorised": True,
            "statement": "Return the sum of x[i] * x[j] over i < j in O(n) time and memory (required).",
            "function": "pair_sum",
            "signature": "def pair_sum(x: list[float]) -> float",
            "returns": "float",
            "params": {"x": "list[float]"},
            "starter": "def pair_sum(x):\n    raise NotImplementedError\n",
            "reference": REFERENCE,
            "mutants": [
                {"bug": "quadratic loops", "group": "requirement", "source": LOOPS},
                {"bug": "quadratic memory", "group": "requirement", "source": OUTER},
            ],
            "tolerance": {"abs": 1e-6, "rel": 1e-9},
            "tests": [{"args": [[1.0, 2.0, 3.0]], "expected": 11.0, "visible": True}]
            + [{"args": [[1.0] * n], "expected": n * (n - 1) / 2, "note": f"{n} ones"} for n in range(5)],
            "perf": {
                "seed": 3,
                "generator": "def generate(rng):\n    return {'args': [rng.normal(size=20000).tolist()]}\n",
                "require": require,
            },
        }
    )


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


def test_quadratic_time_where_linear_is_required_is_too_slow(j: Judge) -> None:
    g = run(j, _problem(20), LOOPS, visible_only=False).graded
    assert g.verdict is Verdict.TOO_SLOW, g.message
    assert g.verdict.label == "Too slow" and "within 20x" in g.message
    assert g.passed == g.total  # every answer was right


def test_quadratic_memory_where_linear_is_required_is_a_memory_limit(j: Judge) -> None:
    g = run(j, _problem(20), OUTER, visible_only=False).graded
    assert g.verdict is Verdict.MEMORY_LIMIT, g.message
    assert "larger input" in g.message


def test_the_reference_meets_its_own_requirement_and_run_skips_it(j: Judge) -> None:
    g = run(j, _problem(20), REFERENCE, visible_only=False).graded
    assert g.verdict is Verdict.ACCEPTED, g.message
    assert g.requirement is not None and g.requirement.ratio is not None and g.requirement.ratio < 20
    assert "Speed on the larger input: within 20x of the reference" in g.message
    assert run(j, _problem(20), LOOPS, visible_only=True).graded.verdict is Verdict.ACCEPTED


def test_without_require_the_speed_is_no_verdict(j: Judge) -> None:
    g = run(j, _problem(None), OUTER, visible_only=False).graded
    assert g.verdict is Verdict.ACCEPTED and g.requirement is None
