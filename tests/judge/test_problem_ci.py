"""Problem CI for random cases and mutants: the mutation score counts mutants killed by tests and
random cases; a generator that raises or returns a wrong type, a reference that raises on a random
case, or a non-deterministic generator fails the problem, naming it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loopprep.content.loader import load_bank
from loopprep.judge.check import check_problem
from loopprep.judge.client import Judge
from tests.judge.random_problem import GENERATOR, REFERENCE, counting_problem


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


def test_random_cases_kill_a_mutant_the_tests_miss_for_a_full_score(j: Judge) -> None:
    res = check_problem(j, counting_problem(), perf=False)
    assert res.ok, res.issues
    assert res.mutation_score == 1.0 and res.random_cases == 40
    assert res.mutants[0].caught_by.startswith("random case ")
    # without random cases the same mutant survives: 1 of 2 killed
    weak = check_problem(j, counting_problem(random=None), perf=False)
    assert not weak.ok and weak.mutation_score == 0.5 and weak.random_cases is None
    assert any("counts zeros as positive" in i and "passes every test and random case" in i for i in weak.issues)


@pytest.mark.parametrize(
    ("generator", "reference", "words"),
    [
        ("def generate(rng, size):\n    raise KeyError('size')\n", REFERENCE, "the generator on seed 500 failed"),
        ("def generate(rng, size):\n    return {'args': [[True]]}\n", REFERENCE, "of the wrong type"),
        (
            GENERATOR,
            REFERENCE.replace("    return", "    if len(x) > 7:\n        raise ValueError('long')\n    return"),
            "the reference raised ValueError on seed 507 (random case 8)",
        ),
        (
            "import numpy as np\ndef generate(rng, size):\n"
            "    return {'args': [np.random.default_rng().normal(size=size)]}\n",
            REFERENCE,
            "not deterministic",
        ),
    ],
    ids=["raises", "wrong-type", "reference-raises", "not-deterministic"],
)
def test_unsound_random_cases_fail_problem_ci(j: Judge, generator: str, reference: str, words: str) -> None:
    p = counting_problem(reference=reference, random={"cases": 40, "seed": 500, "generator": generator})
    res = check_problem(j, p, perf=False)
    assert not res.ok
    assert any(words in issue for issue in res.issues), res.issues


def test_every_shipped_problem_has_random_cases_six_mutants_and_its_time() -> None:
    # issue 12: every shipped problem gets `random` (>= 200 cases), >= 6 mutants and its expected time
    bank = load_bank().coding
    short = [
        f"{pid}: {len(p.mutants)} mutants, {p.random.cases if p.random else 0} random cases, "
        f"expected_minutes {'set' if 'expected_minutes' in p.model_fields_set else 'missing'}"
        for pid, p in bank.problems.items()
        if bank.origin.get(pid) == "shipped"
        and (
            p.random is None
            or p.random.cases < 200
            or len(p.mutants) < 6
            or "expected_minutes" not in p.model_fields_set
        )
    ]
    assert not short, "\n".join(short)
    assert sum(bank.origin.get(pid) == "shipped" for pid in bank.problems) >= 37
