#!/usr/bin/env python3
"""The ML coding judge: verdict latency, warm zygote against a fresh ``python`` per submission.

Submits every shipped problem's reference solution (all tests, as Submit does) and measures,
in one run:

1. **warm**: the zygote forks a sandboxed child per submission; latency is the whole round trip
   seen by the trusted parent (send job, fork, sandbox, load, run every test, return, grade).
   Targets: p50 < 30 ms, p99 < 100 ms.
2. **fresh**: the same jobs, each run by a new ``python`` process that imports numpy and the
   harness and runs the tests (no sandbox at all: the most generous version of the slow way),
   graded the same way.  Target: warm at least 10x faster (ratio of the medians).
3. **two at once**: two threads each submitting the bank through the same judge on this 2-core
   machine.  Target: neither slowed by more than 50 % (p50 under load / p50 alone <= 1.5).

4. **with random cases**: Submit as it runs now: every test plus the problem's random cases (200 by
   default), the reference's outputs cached per problem as a web worker keeps them.  A problem
   without a ``random`` field gets a stand-in (unless ``--no-stand-in``): 200 cases drawn from its
   own hidden tests' arguments, so the figure covers the whole bank while its generators are being
   written.  Target: p50 < 60 ms.  Also reported: the first (uncached) reference run.
5. **immutability check**: the time the child spends deep-copying the arguments before each call and
   comparing them after, summed per verdict (from the harness's ``check_ms``).
6. **mutation score**: the share of the bank's mutants killed by the tests and random cases.

Every verdict must be "accepted"; otherwise the script exits non-zero (the figures would be of a
broken judge).  A missed target prints MISS and still exits 0.

Usage: .venv/bin/python benchmarks/bench_judge.py [--rounds 5] [--no-stand-in] [--no-mutants]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

from loopprep.content.loader import load_bank
from loopprep.engines.judge.grade import Verdict, grade, parse_events
from loopprep.engines.judge.problem import Problem, RandomCases
from loopprep.judge.check import check_problem
from loopprep.judge.client import Judge
from loopprep.judge.random_cases import random_specs, reference_cases
from loopprep.judge.runner import cases_of, job_of
from loopprep.judge.runner import judge as run_judge

FRESH = "import sys, json; from loopprep.judge import harness; harness.run(json.loads(sys.stdin.read()), 1)"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


STAND_IN = (
    "import json\n"
    "ARGS = json.loads({cases!r})\n"
    "def generate(rng, size):\n"
    "    return ARGS[int(rng.integers(len(ARGS)))]\n"
)


def with_stand_in(p: Problem) -> Problem:
    """``p`` with 200 random cases drawn from its own hidden tests' arguments, when it has none."""
    if p.random is not None:
        return p
    picks = [{"args": t.args, "kwargs": t.kwargs} for t in p.tests if not t.visible and t.raises is None]
    text = json.dumps(picks or [{"args": p.tests[0].args, "kwargs": p.tests[0].kwargs}], allow_nan=True)
    return p.model_copy(update={"random": RandomCases(cases=200, seed=1000, generator=STAND_IN.format(cases=text))})


def warm(
    j: Judge, problems: list, rounds: int, per: dict[str, list[float]] | None = None, *, random: bool = False
) -> list[float]:
    out = []
    for _ in range(rounds):
        for p in problems:
            res = run_judge(j, p, p.reference, visible_only=False, random=random, require=False)
            if res.graded.verdict is not Verdict.ACCEPTED:
                raise SystemExit(f"{p.id}: the reference got {res.graded.verdict} ({res.graded.message})")
            out.append(res.latency_ms)
            if per is not None:
                per.setdefault(p.id, []).append(res.latency_ms)
    return out


def fresh(problems: list) -> list[float]:
    out = []
    for p in problems:
        cases = cases_of(p, visible_only=False)
        job = json.dumps(job_of(p, p.reference, cases))
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", FRESH],
            input=job.encode(),
            capture_output=True,
            check=False,
            env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        )
        from loopprep.engines.judge.grade import Exit

        g = grade(cases, proc.stdout, Exit(kind="exited", code=proc.returncode))
        out.append((time.perf_counter() - t0) * 1000)
        if g.verdict is not Verdict.ACCEPTED:
            raise SystemExit(f"{p.id}: fresh-process run got {g.verdict}: {g.message} {proc.stderr[-300:]!r}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="passes over the bank for the warm figures")
    ap.add_argument("--no-stand-in", action="store_true", help="only problems with their own random cases")
    ap.add_argument("--no-mutants", action="store_true", help="skip the mutation score (it judges every mutant)")
    args = ap.parse_args()
    bank = load_bank()
    problems = sorted(bank.coding.problems.values(), key=lambda p: p.id)
    if not problems:
        print("no problems in the bank", file=sys.stderr)
        return 2
    with Judge() as j:
        off = [k for k, v in j.protections.items() if not v.get("on")]
        print(f"judge started in {j.started_ms:.0f} ms; sandbox layers off: {', '.join(off) or 'none'}")
        warm(j, problems, 1)  # warm-up: imports, caches, page faults
        per: dict[str, list[float]] = {}
        alone = warm(j, problems, args.rounds, per)
        slow = fresh(problems)

        both: list[list[float]] = [[], []]

        def worker(k: int) -> None:
            both[k] = warm(j, problems, max(1, args.rounds // 2))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        own = sum(p.random is not None for p in problems)
        randomised = [p if args.no_stand_in else with_stand_in(p) for p in problems]
        randomised = [p for p in randomised if p.random is not None]
        first: list[float] = []
        for p in randomised:  # the first run pays for the reference's outputs (then cached)
            t0 = time.perf_counter()
            ref = reference_cases(j, p)
            first.append((time.perf_counter() - t0) * 1000)
            if ref.problems:
                raise SystemExit(f"{p.id}: its random cases are unsound: {ref.problems[0]}")
        with_random = warm(j, randomised, args.rounds, random=True)
        check_ms, call_ms = immutability_cost(j, randomised)
        bank_score = None if args.no_mutants else mutation_score(j, problems)

    n = len(problems)
    w50, w99 = statistics.median(alone), pct(alone, 99)
    f50 = statistics.median(slow)
    ratio = f50 / w50
    print(f"\n{n} problems, reference solutions, every test (Submit); {len(alone)} warm submissions\n")
    print(f"{'way':<28}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(f"{'warm zygote (sandboxed)':<28}{w50:>10.1f}{w99:>10.1f}{max(alone):>10.1f}")
    print(f"{'fresh python (no sandbox)':<28}{f50:>10.1f}{pct(slow, 99):>10.1f}{max(slow):>10.1f}")
    for k in range(2):
        print(
            f"{f'two at once, thread {k + 1}':<28}{statistics.median(both[k]):>10.1f}"
            f"{pct(both[k], 99):>10.1f}{max(both[k]):>10.1f}"
        )
    worst = sorted(per.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
    print("\nslowest problems (median ms): " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in worst))
    slowdown = max(statistics.median(b) for b in both) / w50
    print()
    print(f"p50 {w50:.1f} ms (target < 30): {'ok' if w50 < 30 else 'MISS'}")
    print(f"p99 {w99:.1f} ms (target < 100): {'ok' if w99 < 100 else 'MISS'}")
    print(f"fresh / warm = {ratio:.1f}x (target >= 10x): {'ok' if ratio >= 10 else 'MISS'}")
    print(f"two at once: p50 x{slowdown:.2f} of alone (target <= 1.5): {'ok' if slowdown <= 1.5 else 'MISS'}")
    if with_random:
        r50, r99 = statistics.median(with_random), pct(with_random, 99)
        cases = sum(p.random.cases for p in randomised) // len(randomised)
        print(
            f"\nwith random cases: {len(randomised)} problems ({own} with their own generator, the rest a stand-in "
            f"drawn from their hidden tests), {cases} cases each on average"
        )
        print(f"  verdict p50 {r50:.1f} ms (target < 60): {'ok' if r50 < 60 else 'MISS'}; p99 {r99:.1f} ms")
        print(f"  reference outputs, first run per problem (then cached): p50 {statistics.median(first):.1f} ms")
        share = sum(check_ms) / max(sum(call_ms), 1e-9)
        print(
            f"  immutability check (deep copy before, compare after): p50 {statistics.median(check_ms):.2f} ms"
            f" per verdict, {share:.0%} of the child's time in calls and checks"
        )
    else:
        print("\nwith random cases: no problem has them (run without --no-stand-in)")
    if bank_score is not None:
        killed, total = bank_score
        print(
            f"\nmutation score (tests and the problems' own random cases): {killed}/{total} mutants killed "
            f"({killed / max(total, 1):.1%}) over {n} problems"
        )
    return 0


def immutability_cost(j: Judge, problems: list) -> tuple[list[float], list[float]]:
    """Per verdict: the child's time in the immutability check, and in calls plus checks (ms)."""
    checks, calls = [], []
    for p in problems:
        cases = cases_of(p, visible_only=False) + random_specs(p, reference_cases(j, p))
        out = j.run(job_of(p, p.reference, cases), cpu_s=p.limits.time_s * 2, memory_mb=p.limits.memory_mb)
        events = [e for e in parse_events(out.output) if e.get("event") == "test"]
        checks.append(sum(float(e.get("check_ms", 0)) for e in events))
        calls.append(sum(float(e.get("ms", 0)) for e in events) + checks[-1])
    return checks, calls


def mutation_score(j: Judge, problems: list) -> tuple[int, int]:
    """Mutants killed and mutants in all, over ``problems`` as shipped (own random cases only)."""
    killed = total = 0
    for p in problems:
        res = check_problem(j, p, perf=False)
        killed += sum(m.verdict != "accepted" for m in res.mutants)
        total += len(res.mutants)
    return killed, total


if __name__ == "__main__":
    sys.exit(main())
