#!/usr/bin/env python3
"""Cold start of the loopprep CLI, as ratios to a bare ``python -c pass`` measured in the same run.

Times, in a fresh temp data directory (and without any other LOOPPREP_* variable, so it never
touches your own data):

* ``python -c pass``: the interpreter's own start-up, the floor every ratio is taken against;
* ``loopprep --help`` (target <= 6x the floor);
* ``loopprep rounds --json`` and ``loopprep code list --json`` (content loaded; targets <= 12x);
* ``loopprep code run stable-softmax FILE`` with a correct solution, on the visible examples
  (a judge started, the content loaded, the verdict recorded; target <= 0.5 s end to end).

Each command gets warm-up runs (the first builds the database and any cache), then timed runs;
the figure is the median. Without hyperfine the commands take turns (one run of each, round after
round), so a burst of load from elsewhere hits them all alike. Then prints the slowest imports
(cumulative) of ``python -X importtime -m loopprep`` for ``--help``, ``rounds --json`` and ``code list --json``.

Exit status: 0 when the figures were measured (even on a MISS); non-zero when something broke.

Usage: .venv/bin/python benchmarks/bench_cli.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOOR = "python -c pass"
PROBLEM = "stable-softmax"
SOLUTION = """import numpy as np


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
"""


@dataclass(frozen=True)
class Target:
    """A target: at most ``ratio`` times the floor, or at most ``seconds`` end to end."""

    ratio: float | None = None
    seconds: float | None = None

    def text(self) -> str:
        return f"<= {self.ratio:g}x" if self.ratio is not None else f"<= {self.seconds:g} s"

    def met(self, median_ms: float, floor_ms: float) -> bool:
        if self.ratio is not None:
            return median_ms <= self.ratio * floor_ms
        return median_ms <= (self.seconds or 0) * 1000


class BenchError(RuntimeError):
    """Something broke: the run is not trustworthy."""


@dataclass
class Timing:
    name: str
    mean_ms: float
    median_ms: float
    min_ms: float
    max_ms: float
    stddev_ms: float
    runs: int


def venv_bin() -> Path:
    """The bin directory holding both python and loopprep (the running interpreter's, else the repo's .venv)."""
    for d in (Path(sys.executable).parent, REPO / ".venv" / "bin"):
        if (d / "loopprep").is_file() and os.access(d / "loopprep", os.X_OK):
            return d
    raise BenchError("cannot find the loopprep executable (run scripts/install, or use .venv/bin/python)")


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    # An installed loopprep has its bytecode cached; without it every run compiles the package anew.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["LOOPPREP_DATA_DIR"] = str(data_dir)
    return env


def check_commands(commands: list[tuple[str, list[str]]], env: dict[str, str]) -> None:
    """Each command must succeed once before it is timed (timing a failing command is meaningless)."""
    for name, argv in commands:
        res = subprocess.run(argv, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            raise BenchError(f"`{name}` failed (exit {res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")


def time_with_hyperfine(
    hyperfine: str, commands: list[tuple[str, list[str]]], env: dict[str, str], warmup: int, runs: int, tmp: Path
) -> list[Timing]:
    export = tmp / "hyperfine.json"
    cmd = [hyperfine, "-N", "--warmup", str(warmup), "--runs", str(runs), "--style", "none"]
    cmd += ["--export-json", str(export)]
    for name, argv in commands:
        # -N (no shell): hyperfine splits the command line itself, so paths must not contain spaces
        if any(" " in a for a in argv):
            raise BenchError(f"cannot pass {argv} to hyperfine -N (a space in a path)")
        cmd += ["--command-name", name, " ".join(argv)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise BenchError(f"hyperfine failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")
    data = json.loads(export.read_text())
    out = []
    for r in data["results"]:
        times = r.get("times") or []
        out.append(
            Timing(
                name=r["command"],
                mean_ms=r["mean"] * 1000,
                median_ms=r["median"] * 1000,
                min_ms=r["min"] * 1000,
                max_ms=r["max"] * 1000,
                stddev_ms=(r.get("stddev") or 0.0) * 1000,
                runs=len(times) or runs,
            )
        )
    return out


def time_with_loop(commands: list[tuple[str, list[str]]], env: dict[str, str], warmup: int, runs: int) -> list[Timing]:
    """Round after round, one run of each command: load from elsewhere falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name, _ in commands}
    for round_ in range(warmup + runs):
        for name, argv in commands:
            t0 = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if round_ >= warmup:
                samples[name].append((time.perf_counter() - t0) * 1000)
    return [
        Timing(
            name=name,
            mean_ms=statistics.fmean(xs),
            median_ms=statistics.median(xs),
            min_ms=min(xs),
            max_ms=max(xs),
            stddev_ms=statistics.stdev(xs) if len(xs) > 1 else 0.0,
            runs=len(xs),
        )
        for name, xs in samples.items()
    ]


IMPORTTIME_LINE = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)\s*$")


IMPORTTIME_ARGS = (["--help"], ["rounds", "--json"], ["code", "list", "--json"])


def import_times(
    python: Path, env: dict[str, str], repeats: int, args: list[str]
) -> tuple[dict[str, tuple[int, int, int]], float]:
    """Best (lowest) self/cumulative µs per module over `repeats` runs, its nesting depth, and the total in ms.

    The total is the sum of the top-level (depth 0) cumulative times of the best run.
    """
    best: dict[str, tuple[int, int, int]] = {}
    totals = []
    for _ in range(repeats):
        res = subprocess.run(
            [str(python), "-X", "importtime", "-m", "loopprep", *args], env=env, capture_output=True, text=True
        )
        if res.returncode != 0:
            raise BenchError(f"python -X importtime -m loopprep {' '.join(args)} failed:\n{res.stderr[-3000:]}")
        total = 0
        seen = 0
        for line in res.stderr.splitlines():
            m = IMPORTTIME_LINE.match(line)
            if not m:
                continue
            seen += 1
            self_us, cum_us, indent, name = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            depth = max(0, (len(indent) - 1) // 2)
            if depth == 0:
                total += cum_us
            if name not in best or cum_us < best[name][1]:
                best[name] = (self_us, cum_us, depth)
        if not seen:
            raise BenchError("no `import time:` lines in stderr (is -X importtime supported?)")
        totals.append(total / 1000)
    return best, min(totals)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10, help="timed runs per command, median kept (default 10)")
    p.add_argument("--warmup", type=int, default=2, help="untimed warm-up runs per command (default 2)")
    p.add_argument("--no-hyperfine", action="store_true", help="use the perf_counter loop even if hyperfine exists")
    p.add_argument("--top", type=int, default=10, help="how many imports to list (default 10)")
    p.add_argument("--importtime-repeats", type=int, default=3, help="importtime runs, best kept (default 3)")
    args = p.parse_args(argv)
    if args.runs < 2:
        p.error("--runs must be at least 2")

    tmp = Path(tempfile.mkdtemp(prefix="loopprep-bench-cli-"))
    try:
        bindir = venv_bin()
        python, loopprep = bindir / "python", bindir / "loopprep"
        data_dir = tmp / "data"
        data_dir.mkdir()
        solution = tmp / f"{PROBLEM}.py"
        solution.write_text(SOLUTION)
        env = clean_env(data_dir)
        commands = [
            (FLOOR, [str(python), "-c", "pass"]),
            ("loopprep --help", [str(loopprep), "--help"]),
            ("loopprep rounds --json", [str(loopprep), "rounds", "--json"]),
            ("loopprep code list --json", [str(loopprep), "code", "list", "--json"]),
            (f"loopprep code run {PROBLEM} FILE", [str(loopprep), "code", "run", PROBLEM, str(solution)]),
        ]
        targets = {
            "loopprep --help": Target(ratio=6),
            "loopprep rounds --json": Target(ratio=12),
            "loopprep code list --json": Target(ratio=12),
            f"loopprep code run {PROBLEM} FILE": Target(seconds=0.5),
        }
        check_commands(commands, env)  # also the first run: the database and any cache get built here

        hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
        if hyperfine:
            version = subprocess.run([hyperfine, "--version"], capture_output=True, text=True).stdout.strip()
            method = f"{version} -N --warmup {args.warmup} --runs {args.runs}, medians"
            timings = time_with_hyperfine(hyperfine, commands, env, args.warmup, args.runs, tmp)
        else:
            method = (
                f"time.perf_counter, {args.warmup} warm-up + {args.runs} timed rounds, the commands taking "
                "turns; medians (hyperfine not found)"
            )
            timings = time_with_loop(commands, env, args.warmup, args.runs)

        imports = [(a, *import_times(python, env, args.importtime_repeats, a)) for a in IMPORTTIME_ARGS]
    except (BenchError, subprocess.CalledProcessError) as e:
        print(f"\nBENCHMARK BROKE: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    floor = next(t for t in timings if t.name == FLOOR)
    print("loopprep CLI cold start, as multiples of a bare interpreter start measured in the same run")
    print(f"method: {method}; python: {python}; cpus={os.cpu_count()}; load average 1 min: {os.getloadavg()[0]:.2f}")
    print()
    header = (
        f"{'command':<38} {'median ms':>10} {'x floor':>8} {'min ms':>8} {'max ms':>8} {'runs':>5}  "
        f"{'target':<10} result"
    )
    print(header)
    print("-" * len(header))
    misses = 0
    for t in timings:
        target = targets.get(t.name)
        verdict = "-"
        if target is not None:
            verdict = "PASS" if target.met(t.median_ms, floor.median_ms) else "MISS"
            misses += verdict == "MISS"
        print(
            f"{t.name:<38} {t.median_ms:>10.1f} {t.median_ms / floor.median_ms:>7.1f}x {t.min_ms:>8.1f} "
            f"{t.max_ms:>8.1f} {t.runs:>5}  {target.text() if target else '(floor)':<10} {verdict}"
        )
    run = next(t for t in timings if t.name.startswith("loopprep code run"))
    print(f"\n`loopprep code run` end to end: {run.median_ms / 1000:.2f} s (median; target <= 0.5 s).")
    print(f"{len(targets) - misses} of {len(targets)} targets met.")

    for cmd_args, best, total_ms in imports:
        print()
        print(
            f"Top {args.top} imports by cumulative time: python -X importtime -m loopprep {' '.join(cmd_args)} "
            f"(best of {args.importtime_repeats}; all imports together ~{total_ms:.0f} ms)"
        )
        rows = sorted(best.items(), key=lambda kv: kv[1][1], reverse=True)[: args.top]
        header = f"{'cumulative ms':>13} {'self ms':>8} {'depth':>5}  module"
        print(header)
        print("-" * max(len(header), 40))
        for name, (self_us, cum_us, depth) in rows:
            print(f"{cum_us / 1000:>13.1f} {self_us / 1000:>8.1f} {depth:>5}  {name}")
    print("(depth 0 = imported directly by the entry point; a parent's cumulative time includes its children's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
