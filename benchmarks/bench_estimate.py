#!/usr/bin/env python3
"""Latency of the estimation calculators through the web app, under wrk.

Starts ``loopprep serve --workers N`` on a fresh data directory, warms each endpoint up, then
runs ``wrk --latency`` at 16 connections against every calculator's JSON route
(``/api/estimate/<calc>`` with realistic inputs) and its HTML page (the form plus the
whiteboard derivation), and prints p50 / p99 and requests/sec against the target: every
calculator answers in under 20 ms at p99.

Reuses the server and wrk plumbing of ``bench_web.py``.  Exit status: 0 when the figures were
measured (a missed target is reported, not an error); non-zero when something broke.

Usage: .venv/bin/python benchmarks/bench_estimate.py --workers 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import (  # noqa: E402
    BenchError,
    Server,
    WrkResult,
    duration_arg,
    find_loopprep,
    free_port,
    get_status,
    run_wrk,
)

P99_TARGET_MS = 20.0
QUERIES = {
    "qps": "dau=8000000&sessions_per_user=4&requests_per_session=6&peak_factor=3&tokens_per_request=400",
    "inflight": "arrival_rate=6944&latency_s=0.5&latency_kind=mean",
    "gpus": "peak_tokens_per_s=520833&tokens_per_s_per_gpu=1500&headroom=1.3&tp=8",
    "weights": "model=llama-3.1-405b&dtype=fp8&tp=8",
    "kv": "model=gemma-2-9b&kv_dtype=bf16&context=8192&batch=32&tp=2",
    "kv-budget": "model=llama-3-70b&gpu=h100-sxm&weight_dtype=bf16&kv_dtype=bf16&tp=2&reserve_gb=2"
    "&tokens_per_request=2500",
    "roofline": "model=mixtral-8x7b&gpu=h200&weight_dtype=bf16&kv_dtype=fp8&batch=64&context=4000&tp=2&phase=decode",
    "train": "model=llama-3-70b&tokens_b=15000&gpu=h100-sxm&mfu=0.4&gpus=16384",
    "index": "vectors=1000000000&dim=768&kind=ivf-pq&pq_bytes=64&nlist=65536",
    "storage": "items_per_day=2000000000&bytes_per_item=400&retention_days=90&replication=3&compression=4",
    "cost": "gpus=678&price_per_gpu_hour=2.5&hours_per_month=730&utilisation=1",
}


def endpoints(pages: bool) -> list[str]:
    out = [f"/api/estimate/{c}?{q}" for c, q in QUERIES.items()]
    if pages:
        out += [f"/estimate/{c}?{q}" for c, q in QUERIES.items()]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    p.add_argument("--duration", type=duration_arg, default="5s", help="wrk duration per endpoint (default 5s)")
    p.add_argument("--connections", type=int, default=16, help="wrk open connections (default 16)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--warmup", type=duration_arg, default="1s", help="wrk warm-up per endpoint (default 1s)")
    p.add_argument("--no-pages", action="store_true", help="measure only the JSON routes")
    args = p.parse_args(argv)

    wrk = shutil.which("wrk")
    if not wrk:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="loopprep-bench-estimate-"))
    server: Server | None = None

    def on_term(signum, frame):  # noqa: ANN001, ANN202 - let `finally` stop the server
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    paths = endpoints(pages=not args.no_pages)
    results: list[WrkResult] = []
    try:
        port = free_port()
        server = Server(find_loopprep(), data_dir, port, args.workers, data_dir / "server.log")
        server.start()
        ready_s = server.wait_ready()
        base = f"http://127.0.0.1:{port}"
        for path in paths:
            status, _ = get_status(port, path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}, not 200")
        for path in paths:
            run_wrk(wrk, base + path, path, args.threads, args.connections, args.warmup)
        load_before = os.getloadavg()
        for path in paths:
            results.append(run_wrk(wrk, base + path, path, args.threads, args.connections, args.duration))
            server.check_alive()
        load_after = os.getloadavg()
    except BenchError as e:
        print(f"\nBENCHMARK BROKE: {e}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()
    print(f"loopprep estimation benchmark  ({version[0] if version else 'wrk'})")
    print(
        f"workers={args.workers}  connections={args.connections}  threads={args.threads}  "
        f"duration={args.duration}/endpoint  warm-up={args.warmup}/endpoint  cpus={os.cpu_count()}"
    )
    print(
        f"server ready in {ready_s:.2f} s; load average 1 min: {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(f"target: every calculator p99 < {P99_TARGET_MS:.0f} ms")
    print()
    header = f"{'endpoint':<26} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9} {'requests':>9}  result"
    print(header)
    print("-" * len(header))
    misses = 0
    for r in results:
        verdict = "PASS" if r.p99_ms < P99_TARGET_MS else "MISS"
        misses += verdict == "MISS"
        print(f"{r.path.split('?')[0]:<26} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.rps:>9.1f} {r.requests:>9}  {verdict}")
    print()
    print(f"{misses} target(s) missed" if misses else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
