#!/usr/bin/env python3
"""Stats lab figures: calculator latency per request, and the analyser on a 1,000,000-row CSV.

1. Every calculator's JSON route (``/api/stats/<calc>``, realistic inputs) is called in-process
   through the ASGI app (starlette's TestClient: routing, validation, engine, JSON; no socket),
   ``--requests`` times after a warm-up; p50 / p99 against the 20 ms target.
2. A generated 1,000,000-row experiment CSV (unit, variant, converted, revenue, pre_revenue,
   segment_device) is analysed by ``loopprep stats analyze FILE --json`` in a child process;
   wall time and peak RSS against the 10 s / 1 GiB targets.

Exit status 0 when the figures were measured (a miss is reported as MISS), non-zero when
something broke.  Usage: .venv/bin/python benchmarks/bench_stats.py [--requests 200] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 20.0
QUERIES = {
    "sample-size": {"baseline": "0.2", "target": "0.25"},
    "sample-size (means)": {"metric": "mean", "effect": "1", "sd": "4"},
    "power": {"n": "1000", "baseline": "0.2", "target": "0.25"},
    "mde": {"n": "10000", "baseline": "0.1"},
    "ci": {"x1": "56", "n1": "70", "x2": "48", "n2": "80", "method": "mn"},
    "ci (welch)": {"kind": "welch", "mean1": "1", "sd1": "2", "n1": "30", "mean2": "2", "sd2": "2", "n2": "30"},
    "srm": {"counts": "50000,51000"},
    "adjust": {"pvalues": "0.01,0.02,0.03,0.2", "method": "bh"},
    "cuped": {"rho": "0.6", "n": "10000"},
    "did": {"treat_pre": "20.44", "treat_post": "21.03", "control_pre": "23.33", "control_post": "21.17"},
    "peeking": {},
}


def bench_calculators(n: int) -> bool:
    from fastapi.testclient import TestClient

    from loopprep.services.context import open_context
    from loopprep.settings import Settings
    from loopprep.web.app import create_app

    ok = True
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(data_dir=Path(d))
        ctx = open_context(settings)
        app = create_app(settings, context=ctx)
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            print(f"{'calculator':<22} {'p50 ms':>8} {'p99 ms':>8}  target p99 < {TARGET_MS:.0f} ms")
            for label, params in QUERIES.items():
                name = label.split(" ")[0]
                for _ in range(10):
                    r = client.get(f"/api/stats/{name}", params=params)
                    if r.status_code != 200:
                        raise SystemExit(f"/api/stats/{name} answered {r.status_code}: {r.text}")
                times = []
                for _ in range(n):
                    t = time.perf_counter()
                    client.get(f"/api/stats/{name}", params=params)
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                p50, p99 = statistics.median(times), times[int(0.99 * (len(times) - 1))]
                verdict = "ok" if p99 < TARGET_MS else "MISS"
                ok = ok and p99 < TARGET_MS
                print(f"{label:<22} {p50:8.2f} {p99:8.2f}  {verdict}")
        ctx.engine.dispose()
    return ok


def bench_analyser(rows: int) -> bool:
    spec = importlib.util.spec_from_file_location("exp", ROOT / "tests" / "fixtures" / "stats" / "experiment_data.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "experiment.csv"
        t = time.perf_counter()
        path.write_bytes(mod.experiment_csv(rows, seed=5))
        print(f"\ngenerated {rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")} | {"LOOPPREP_DATA_DIR": d}
        t = time.perf_counter()
        out = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "loopprep"), "stats", "analyze", str(path), "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - t
        rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if out.returncode != 0:
            raise SystemExit(f"stats analyze failed: {out.stderr}")
        doc = json.loads(out.stdout)
        assert doc["report"]["rows"] == rows
        ok_t, ok_m = wall < 10, rss_mib < 1024
        print(
            f"analyse {rows:,} rows: {wall:.2f} s ({'ok' if ok_t else 'MISS'}, target < 10 s), "
            f"peak RSS {rss_mib:.0f} MiB ({'ok' if ok_m else 'MISS'}, target < 1024 MiB)"
        )
        print(f"verdict: {doc['summary']}")
        return ok_t and ok_m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    a = bench_calculators(args.requests)
    b = bench_analyser(args.rows)
    print("\nall targets met" if a and b else "\nsome targets MISSED (see above)")


if __name__ == "__main__":
    main()
