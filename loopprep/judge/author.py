"""Temporary authoring aid: `python -m loopprep.judge.author FILE...` checks problem files in the
real sandbox (schema, reference accepted, every mutant caught).  `loopprep code check` replaces it."""

from __future__ import annotations

import sys
from pathlib import Path

from loopprep.judge.bank import load_file
from loopprep.judge.check import check_problem
from loopprep.judge.client import Judge


def main(argv: list[str]) -> int:
    bad = 0
    with Judge() as j:
        for arg in argv:
            problem, errors = load_file(Path(arg))
            if problem is None:
                bad += 1
                print(f"FAIL {arg}: schema")
                for e in errors:
                    print(f"    {e}")
                continue
            res = check_problem(j, problem)
            print(f"{'ok  ' if res.ok else 'FAIL'} {problem.id}: reference {res.reference_verdict} "
                  f"({res.reference_ms:.1f} ms)")
            for m in res.mutants:
                print(f"    mutant '{m.bug}': {m.verdict}" + (f", caught by {m.caught_by}" if m.caught_by else ""))
            if res.perf:
                print(f"    perf: {res.perf.ms:.2f} ms, peak {res.perf.peak_bytes / 2**20:.1f} MiB")
            for issue in res.issues:
                print(f"    ! {issue}")
            bad += not res.ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
