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

Every verdict must be "accepted"; otherwise the script exits non-zero (the figures would be of a
broken judge).  A missed target prints MISS and still exits 0.

Usage: .venv/bin/python benchmarks/bench_judge.py [--rounds 5]
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
from loopprep.engines.judge.grade import Verdict, grade
from loopprep.judge.client import Judge
from loopprep.judge.runner import cases_of, job_of
from loopprep.judge.runner import judge as run_judge

FRESH = "import sys, json; from loopprep.judge import harness; harness.run(json.loads(sys.stdin.read()), 1)"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def warm(j: Judge, problems: list, rounds: int, per: dict[str, list[float]] | None = None) -> list[float]:
    out = []
    for _ in range(rounds):
        for p in problems:
            res = run_judge(j, p, p.reference, visible_only=False)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
