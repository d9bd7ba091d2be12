"""From a problem and a submission to a graded verdict: build the job the sandbox sees (arguments
only), run it in the judge, and grade the child's output in this trusted process."""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass

from loopprep.engines.judge.compare import Tol
from loopprep.engines.judge.forbidden import forbidden_use
from loopprep.engines.judge.grade import BadEvent, CaseOutcome, CaseSpec, Graded, Verdict, grade, parse_events
from loopprep.engines.judge.problem import MAX_SOURCE_BYTES, Problem
from loopprep.engines.judge.random_run import fold_random
from loopprep.engines.judge.types import parse
from loopprep.judge.client import Judge, RunOutput
from loopprep.judge.random_cases import random_specs, reference_cases
from loopprep.judge.requirement import check_requirement


@dataclass(frozen=True)
class Judged:
    graded: Graded
    latency_ms: float
    cpu_ms: float
    wall_ms: float


def cases_of(problem: Problem, *, visible_only: bool) -> list[CaseSpec]:
    out = []
    returns = parse(problem.returns)
    # visible cases first: the harness reports prints and load errors before any hidden data is seen
    for i, t in enumerate(problem.tests):
        if visible_only and not t.visible:
            continue
        tol = problem.tolerance_of(t)
        out.append(
            CaseSpec(
                i,
                t.expected,
                Tol(tol.abs, tol.rel) if tol else None,
                t.visible,
                t.note,
                list(t.args),
                dict(t.kwargs),
                returns=returns,
            )
        )
    return sorted(out, key=lambda c: not c.visible)


def job_of(problem: Problem, source: str, cases: list[CaseSpec]) -> dict:
    """What the sandbox receives: the code, the function name, typed parameters and the arguments.
    Never an expected value."""
    specs = problem.param_specs
    return {
        "source": source,
        "function": problem.function,
        "params": [[name, spec.wire()] for name, spec in specs.items()],
        "tests": [{"args": c.args, "kwargs": c.kwargs, "visible": c.visible} for c in cases],
        "forbidden": list(problem.forbidden),
    }


def precheck(problem: Problem, source: str, cases: list[CaseSpec]) -> Graded | None:
    """What the trusted side can tell without running anything: size, syntax, forbidden names."""
    if len(source.encode()) > MAX_SOURCE_BYTES:
        return _refused(cases, Verdict.COMPILE_ERROR, f"The submission is larger than {MAX_SOURCE_BYTES // 1024} KiB.")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        g = _refused(cases, Verdict.COMPILE_ERROR, f"Syntax error on line {exc.lineno}: {exc.msg}")
        g.line = exc.lineno
        return g
    except (RecursionError, MemoryError, ValueError) as exc:
        return _refused(cases, Verdict.COMPILE_ERROR, f"The code could not be parsed: {type(exc).__name__}.")
    hit = forbidden_use(tree, problem.forbidden)
    if hit:
        g = _refused(cases, Verdict.FORBIDDEN, f"Line {hit.line} uses {hit.name}, which this problem forbids.")
        g.line, g.forbidden = hit.line, hit.name
        return g
    return None


def judge(
    judge: Judge, problem: Problem, source: str, *, visible_only: bool, random: bool = True, require: bool = True
) -> Judged:
    """Run ``source`` on the problem's tests (the visible ones only, for Run) and grade it.  On a
    full run of a problem with ``random``, its random cases run too, in the same child, against the
    reference's outputs computed (and cached) in a child of their own; with ``perf.require``, an
    accepted solution is then timed against the reference on the larger input (``require=False``
    skips that, as a benchmark of the tests alone does)."""
    cases = cases_of(problem, visible_only=visible_only)
    early = precheck(problem, source, cases)
    if early is not None:
        return Judged(early, 0.0, 0.0, 0.0)
    extra: list[CaseSpec] = []
    ref = None
    if random and not visible_only and problem.random is not None:
        ref = reference_cases(judge, problem)
        extra = random_specs(problem, ref)
    res = judge_cases(judge, problem, source, cases + extra, random_from=ref)
    g = res.graded
    if require and not visible_only and g.verdict is Verdict.ACCEPTED and problem.perf and problem.perf.require:
        t0 = time.perf_counter()
        outcome = check_requirement(judge, problem, source)
        if outcome is not None and outcome.verdict in (Verdict.TOO_SLOW.value, Verdict.MEMORY_LIMIT.value):
            g.verdict, g.message = Verdict(outcome.verdict), outcome.message
        elif outcome is not None and outcome.verdict is None:
            g.message += f" Speed on the larger input: {outcome.message}."
        elif outcome is not None:  # the reference could not be timed: loopprep's problem, not the user's
            g.message += f" The speed requirement was not checked: {outcome.message}."
        g.requirement = outcome
        res = Judged(g, res.latency_ms + (time.perf_counter() - t0) * 1000, res.cpu_ms, res.wall_ms)
    return res


def judge_cases(judge: Judge, problem: Problem, source: str, cases: list[CaseSpec], *, random_from=None) -> Judged:
    """Run ``source`` on exactly these cases (visible ones first) in one sandboxed child and grade it."""
    cpu = problem.limits.time_s * (2 if random_from is not None else 1)
    out: RunOutput = judge.run(job_of(problem, source, cases), cpu_s=cpu, memory_mb=problem.limits.memory_mb)
    graded = grade(
        cases, out.output, out.exit, immutable=problem.inputs == "immutable", arg_names=tuple(problem.params)
    )
    if random_from is not None and problem.random is not None:
        graded = fold_random(
            graded,
            [c for c in cases if c.seed is not None],
            first_seed=problem.random.seed,
            count=problem.random.cases,
            digest=random_from.digest,
        )
    return Judged(graded, out.latency_ms, out.exit.cpu_s * 1000, out.exit.wall_s * 1000)


def _refused(cases: list[CaseSpec], verdict: Verdict, message: str) -> Graded:
    return Graded(verdict, message, 0, len(cases), [CaseOutcome(c.index, c.visible, c.note, "not-run") for c in cases])


@dataclass(frozen=True)
class PerfFigure:
    ms: float
    peak_bytes: int | None  # None: too slow to trace within the budget
    mutated: list[str]


def measure_perf(judge: Judge, problem: Problem, source: str) -> PerfFigure | str:
    """Time (best of up to five runs) and peak traced memory of ``source`` on the problem's larger
    ``perf`` input; a string says why there is no figure."""
    if problem.perf is None:
        return "this problem has no larger input"
    job = job_of(problem, source, [])
    job.update(mode="perf", generator=problem.perf.generator, seed=problem.perf.seed, budget_s=1.0)
    cpu = max(problem.limits.time_s * 5, 10.0)
    out = judge.run(job, cpu_s=cpu, memory_mb=max(problem.limits.memory_mb, 512))
    try:
        events = parse_events(out.output, max_events=1000)  # the harness writes about four
    except BadEvent as exc:
        return f"unreadable output ({exc})"
    perf = [e for e in events if e.get("event") == "perf"]
    timed = [e for e in events if e.get("event") == "perf_time"]
    if not perf and timed:  # timed, then stopped while tracing memory
        try:
            return PerfFigure(float(timed[0]["ms"]), None, [str(m) for m in timed[0].get("mutated", [])][:10])
        except (KeyError, TypeError, ValueError):
            return "the measurement was malformed"
    if not perf:
        if out.exit.kind == "timeout" or out.exit.signal in ("SIGXCPU", "SIGKILL"):
            return "ran out of time on the larger input"
        ended = out.exit.signal or f"exit status {out.exit.code}"
        errors = [
            str(e.get("traceback") or e.get("detail") or e.get("message") or "")[-300:]
            for e in events
            if e.get("event") in ("load_error", "sandbox_error", "missing_function")
        ]
        return f"no measurement came back (the process ended with {ended}){': ' + errors[0] if errors else ''}"
    ev = perf[0]
    if ev.get("status") != "ok":
        if ev.get("status") == "generator_error":
            return f"the perf generator failed: {str(ev.get('traceback', ''))[-400:]}"
        return f"failed on the larger input ({ev.get('type') or ev.get('status')})"
    try:
        peak = ev.get("peak_bytes")
        return PerfFigure(
            float(ev["ms"]), None if peak is None else int(peak), [str(m) for m in ev.get("mutated", [])][:10]
        )
    except (KeyError, TypeError, ValueError):
        return "the measurement was malformed"
