"""``perf.require`` enforced: the reference and the submission timed alternately on the problem's
larger input, in the same judge call, each run in a fresh sandboxed child of its own; the rule is
:func:`loopprep.engines.judge.timing.require_rule`."""

from __future__ import annotations

from loopprep.engines.judge.grade import BadEvent, parse_events
from loopprep.engines.judge.problem import Problem
from loopprep.engines.judge.timing import RequireOutcome, Timed, alternate, require_rule
from loopprep.judge.client import Judge


def time_once(j: Judge, problem: Problem, source: str, *, cpu_s: float) -> Timed:
    """One timed call of ``source`` on the larger input, within the problem's memory limit: its
    milliseconds (measured in the child), or "memory", "time" or a short reason."""
    from loopprep.judge.runner import job_of

    assert problem.perf is not None
    job = job_of(problem, source, [])
    # the best of up to three calls (within the child's one-second budget), in CPU time
    job.update(mode="perf", generator=problem.perf.generator, seed=problem.perf.seed, runs=3, trace=False)
    out = j.run(job, cpu_s=cpu_s, memory_mb=problem.limits.memory_mb)
    try:
        events = parse_events(out.output, max_events=100)
    except BadEvent:
        return "corrupted the judge's channel"
    timed = [e for e in events if e.get("event") == "perf_time"]
    if timed and isinstance(timed[0].get("ms"), (int, float)):
        return float(timed[0]["ms"])
    failed = [e for e in events if e.get("event") == "perf" and e.get("status") != "ok"]
    if failed:
        ev = failed[0]
        if ev.get("type") == "MemoryError":
            return "memory"
        if ev.get("status") == "generator_error":
            return f"the problem's perf generator failed ({ev.get('type')})"
        return f"raised {str(ev.get('type') or ev.get('status'))[:60]}"
    # the CPU rlimit ends a child with SIGXCPU then SIGKILL; the address-space limit with MemoryError
    # (reported above) or, inside numpy's C code, SIGSEGV / SIGABRT
    if out.exit.kind == "timeout" or out.exit.signal in ("SIGXCPU", "SIGKILL"):
        return "time"
    if out.exit.signal in ("SIGSEGV", "SIGABRT"):
        return "memory"
    return f"ended early ({out.exit.signal or out.exit.kind})"


def check_requirement(j: Judge, problem: Problem, source: str) -> RequireOutcome | None:
    """The ``perf.require`` verdict for ``source``, or None when the problem states no requirement."""
    if problem.perf is None or problem.perf.require is None:
        return None
    require = problem.perf.require
    reference_cpu = max(problem.limits.time_s * 5, 10.0)

    def reference() -> Timed:
        return time_once(j, problem, problem.reference, cpu_s=reference_cpu)

    def submission(reference_ms: float) -> Timed:
        # enough CPU for three calls at five times the allowed ratio: slower than that is too slow
        # whatever the noise
        cap = min(reference_cpu, max(1.0, reference_ms * require * 15 / 1000 + 0.5))
        return time_once(j, problem, source, cpu_s=cap)

    return require_rule(alternate(reference, submission), require=require)
