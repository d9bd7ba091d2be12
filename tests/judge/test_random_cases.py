"""Differential random testing through the real sandbox: a mutant every fixed test lets through is
caught by a random case, reported like a hidden case with its seed; the reference's outputs are
cached per problem digest; a broken generator or a reference that raises is the problem's fault."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loopprep.engines.judge.grade import Verdict
from loopprep.judge.client import Judge
from loopprep.judge.random_cases import digest, reference_cases
from loopprep.judge.runner import judge as run
from tests.judge.random_problem import GENERATOR, REFERENCE, ZERO_COUNTS, counting_problem

PROBLEM = counting_problem()


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


def test_a_mutant_that_passes_every_fixed_test_fails_a_random_case(j: Judge) -> None:
    assert run(j, PROBLEM, ZERO_COUNTS, visible_only=False, random=False).graded.verdict is Verdict.ACCEPTED
    g = run(j, PROBLEM, ZERO_COUNTS, visible_only=False).graded
    assert g.verdict is Verdict.WRONG_ANSWER
    failing = [c for c in g.cases if c.seed is not None]
    assert len(failing) == 1  # the first failing random case only, not forty rows
    case = failing[0]
    assert case.note.startswith("random case ") and case.note in g.message
    assert case.args is None and case.expected is None and case.got is None  # reported like a hidden case
    assert g.random.failed_seed == case.seed == 500 + int(case.note.split()[-1]) - 1
    assert g.total == 6 + 40 and g.random.ran == 40


def test_the_reference_is_accepted_on_every_random_case(j: Judge) -> None:
    g = run(j, PROBLEM, REFERENCE, visible_only=False).graded
    assert g.verdict is Verdict.ACCEPTED, g.message
    assert g.message == "All 6 tests and 40 random cases passed."
    assert g.random.failed_seed is None and g.passed == g.total == 46


def test_run_of_the_examples_runs_no_random_case(j: Judge) -> None:
    g = run(j, PROBLEM, ZERO_COUNTS, visible_only=True).graded
    assert g.verdict is Verdict.ACCEPTED and g.random is None and g.total == 1


def test_the_reference_outputs_are_cached_by_problem_digest(j: Judge) -> None:
    first = reference_cases(j, PROBLEM)
    assert reference_cases(j, PROBLEM) is first
    edited = counting_problem(reference=REFERENCE + "\n# edited\n")
    assert digest(edited) != digest(PROBLEM)
    again = reference_cases(j, edited)
    assert again is not first and again.digest == digest(edited)
    # computed afresh in another child, the cases and outputs are identical: the reference agrees with itself
    fresh = reference_cases(j, PROBLEM, fresh=True)
    assert fresh.cases == first.cases and not fresh.problems


def test_the_reference_never_runs_in_the_submissions_process(j: Judge) -> None:
    # a submission that patches numpy at import cannot change the expected outputs
    patch = "import numpy as np\nnp.asarray = lambda x: np.array(x) * 0 + 1\n" + REFERENCE.replace(
        "import numpy as np\n", ""
    )
    g = run(j, counting_problem(random={"cases": 20, "seed": 9, "generator": GENERATOR}), patch, visible_only=False)
    assert g.graded.verdict is Verdict.WRONG_ANSWER


@pytest.mark.parametrize(
    ("generator", "words"),
    [
        ("def generate(rng, size):\n    raise RuntimeError('boom')\n", "failed: RuntimeError: boom"),
        ("def generate(rng, size):\n    return {'args': ['text']}\n", "argument 'x' of the wrong type"),
        ("def generate(rng, size):\n    return {'args': []}\n", "the reference raised TypeError"),
        ("def generate(rng, size):\n    return {'args': [[1.0]], 'kwargs': {'y': 1}}\n", "unknown keyword"),
        ("def make(rng):\n    return {}\n", "the generator failed"),
    ],
)
def test_a_broken_generator_is_the_problems_fault_never_the_users(j: Judge, generator: str, words: str) -> None:
    p = counting_problem(random={"cases": 20, "seed": 1, "generator": generator})
    ref = reference_cases(j, p, fresh=True)
    assert ref.cases == [] and any(words in why for why in ref.problems), ref.problems
    # the user's submission is judged on the fixed tests alone
    assert run(j, p, REFERENCE, visible_only=False).graded.verdict is Verdict.ACCEPTED


def test_a_random_case_on_which_the_reference_raises_is_reported_and_skipped(j: Judge) -> None:
    raising = REFERENCE.replace("    return", "    if len(x) == 3:\n        raise ValueError('three')\n    return")
    p = counting_problem(reference=raising, random={"cases": 20, "seed": 1, "generator": GENERATOR})
    ref = reference_cases(j, p, fresh=True)
    assert any("the reference raised ValueError" in why and "random case 3" in why for why in ref.problems)
    assert all(len(c.args[0]) != 3 for c in ref.cases) and len(ref.cases) < 20
