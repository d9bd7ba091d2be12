#!/usr/bin/env python3
"""Cold start of the loopprep CLI.

Times ``loopprep --help`` (target: mean < 300 ms) and, for comparison, a bare ``python -c pass``
(the interpreter's own floor) and ``loopprep rounds --json`` (a command that loads content). Uses
hyperfine when it is installed (``--warmup 3 --runs 20 --export-json``), otherwise a loop of 20
subprocess runs timed with time.perf_counter. Then prints the 10 slowest imports (cumulative) of
``python -X importtime -m loopprep --help`` to show where start-up time goes.

Every command runs against a fresh, empty temp data directory (and without any other LOOPPREP_*
variable), so it never touches your own data.

Exit status: 0 when the figures were measured (even on a MISS); non-zero when something broke.

Usage: .venv/bin/python benchmarks/bench_cli.py
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
HELP_TARGET_MS = 300.0


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
    out = []
    for name, argv in commands:
        for _ in range(warmup):
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            samples.append((time.perf_counter() - t0) * 1000)
        out.append(
            Timing(
                name=name,
                mean_ms=statistics.fmean(samples),
                median_ms=statistics.median(samples),
                min_ms=min(samples),
                max_ms=max(samples),
                stddev_ms=statistics.stdev(samples) if len(samples) > 1 else 0.0,
                runs=len(samples),
            )
        )
    return out


IMPORTTIME_LINE = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)\s*$")


def import_times(python: Path, env: dict[str, str], repeats: int) -> tuple[dict[str, tuple[int, int, int]], float]:
    """Best (lowest) self/cumulative µs per module over `repeats` runs, its nesting depth, and the total in ms.

    The total is the sum of the top-level (depth 0) cumulative times of the best run.
    """
    best: dict[str, tuple[int, int, int]] = {}
    totals = []
    for _ in range(repeats):
        res = subprocess.run(
            [str(python), "-X", "importtime", "-m", "loopprep", "--help"], env=env, capture_output=True, text=True
        )
        if res.returncode != 0:
            raise BenchError(f"python -X importtime -m loopprep --help failed:\n{res.stderr[-3000:]}")
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
    p.add_argument("--runs", type=int, default=20, help="timed runs per command (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed warm-up runs per command (default 3)")
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
        env = clean_env(data_dir)
        commands = [
            ("loopprep --help", [str(loopprep), "--help"]),
            ("python -c pass", [str(python), "-c", "pass"]),
            ("loopprep rounds --json", [str(loopprep), "rounds", "--json"]),
        ]
        check_commands(commands, env)

        hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
        if hyperfine:
            version = subprocess.run([hyperfine, "--version"], capture_output=True, text=True).stdout.strip()
            method = f"{version} -N --warmup {args.warmup} --runs {args.runs}"
            timings = time_with_hyperfine(hyperfine, commands, env, args.warmup, args.runs, tmp)
        else:
            method = f"time.perf_counter loop, {args.warmup} warm-up + {args.runs} runs (hyperfine not found)"
            timings = time_with_loop(commands, env, args.warmup, args.runs)

        best, total_ms = import_times(python, env, args.importtime_repeats)
    except (BenchError, subprocess.CalledProcessError) as e:
        print(f"\nBENCHMARK BROKE: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("loopprep CLI cold start")
    print(f"method: {method}; python: {python}; cpus={os.cpu_count()}; load average 1 min: {os.getloadavg()[0]:.2f}")
    print(f"target: `loopprep --help` mean < {HELP_TARGET_MS:.0f} ms")
    print()
    header = (
        f"{'command':<24} {'mean ms':>8} {'± sd':>7} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'runs':>5}  result"
    )
    print(header)
    print("-" * len(header))
    verdict_help = "-"
    for t in timings:
        verdict = "-"
        if t.name == "loopprep --help":
            verdict = verdict_help = "PASS" if t.mean_ms < HELP_TARGET_MS else "MISS"
        print(
            f"{t.name:<24} {t.mean_ms:>8.1f} {t.stddev_ms:>7.1f} {t.median_ms:>10.1f} {t.min_ms:>8.1f} "
            f"{t.max_ms:>8.1f} {t.runs:>5}  {verdict}"
        )
    floor = next((t for t in timings if t.name == "python -c pass"), None)
    helpt = next((t for t in timings if t.name == "loopprep --help"), None)
    if floor and helpt:
        print(
            f"\n`loopprep --help` costs {helpt.mean_ms - floor.mean_ms:.1f} ms over a bare interpreter start (means)."
        )
    print(f"`loopprep --help`: {verdict_help}")

    print()
    print(
        f"Top {args.top} imports by cumulative time: python -X importtime -m loopprep --help "
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
