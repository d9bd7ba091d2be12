"""Problem CI: a problem is sound when its reference passes every test inside the sandbox, its
random cases are sound (the generator returns arguments of the declared types on every seed, the
reference returns on each and gives the same outputs when run again), and each of its mutants fails
at least one test or random case: a mutation score of 100 %."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge
from loopprep.judge.random_cases import RandomCase, reference_cases
from loopprep.judge.runner import PerfFigure, judge, measure_perf


@dataclass
class MutantResult:
    bug: str
    verdict: str
    caught_by: str  # the first failing case ("example 2", "edge case: empty input") or ""


@dataclass
class ProblemCheck:
    id: str
    ok: bool
    issues: list[str] = field(default_factory=list)
    reference_verdict: str = ""
    reference_ms: float = 0.0
    mutants: list[MutantResult] = field(default_factory=list)
    perf: PerfFigure | None = None
    perf_note: str = ""
    random_cases: int | None = None  # how many random cases each mutant met; None: the problem has none

    @property
    def mutation_score(self) -> float:
        """The share of mutants killed by the tests and random cases, 0..1."""
        if not self.mutants:
            return 1.0
        return sum(m.verdict != "accepted" for m in self.mutants) / len(self.mutants)


def _same_case(a: RandomCase, b: RandomCase) -> bool:
    """Bit for bit: ``==`` would call two NaN outputs different (and cannot compare arrays)."""
    return pickle.dumps((a.seed, a.args, a.kwargs, a.expected)) == pickle.dumps((b.seed, b.args, b.kwargs, b.expected))


def check_problem(j: Judge, problem: Problem, *, perf: bool = True) -> ProblemCheck:
    out = ProblemCheck(problem.id, True)
    if problem.random is not None:
        first = reference_cases(j, problem, fresh=True)
        out.issues.extend(first.problems)
        out.random_cases = len(first.cases)
        if not first.problems:  # the same seeds again, in another child: the same cases and outputs
            again = reference_cases(j, problem, fresh=True)
            differ = [a.seed for a, b in zip(first.cases, again.cases, strict=False) if not _same_case(a, b)]
            if differ or len(first.cases) != len(again.cases):
                seed = differ[0] if differ else "?"
                out.issues.append(
                    f"random cases: the generator or the reference is not deterministic (seed {seed} gave "
                    "different arguments or outputs on a second run); use only the rng it is given"
                )
    ref = judge(j, problem, problem.reference, visible_only=False)
    out.reference_verdict = ref.graded.verdict.value
    out.reference_ms = round(ref.latency_ms, 2)
    if ref.graded.verdict is not Verdict.ACCEPTED:
        out.issues.append(f"the reference is not accepted: {ref.graded.verdict.label}: {ref.graded.message}")
        for c in ref.graded.cases:
            if c.status != "passed" and c.message:
                out.issues.append(f"  test {c.index + 1} ({c.note or 'no note'}): {c.message}")
    if ref.graded.mutated:
        out.issues.append(f"the reference changes its inputs: {', '.join(ref.graded.mutated)}")
    for m in problem.mutants:
        res = judge(j, problem, m.source, visible_only=False)
        caught = next((c for c in res.graded.cases if c.status != "passed"), None)
        where = ""
        if caught is not None:
            where = f"example {caught.index + 1}" if caught.visible else (caught.note or f"test {caught.index + 1}")
        out.mutants.append(MutantResult(m.bug, res.graded.verdict.value, where))
        if res.graded.verdict is Verdict.ACCEPTED:
            out.issues.append(
                f"mutant '{m.bug}' passes every test and random case: add a test or a generator case that catches it"
            )
        elif res.graded.verdict is Verdict.JUDGE_ERROR:
            out.issues.append(f"mutant '{m.bug}': judge error: {res.graded.message}")
    if perf and problem.perf is not None and not out.issues:
        fig = measure_perf(j, problem, problem.reference)
        if isinstance(fig, PerfFigure):
            out.perf = fig
        else:
            out.issues.append(f"the reference on the larger input: {fig}")
    out.ok = not out.issues
    return out
