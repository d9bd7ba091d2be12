#!/usr/bin/env python3
"""Throughput and latency of the loopprep web app under wrk.

Starts ``loopprep serve --workers N`` on a free port against a fresh data directory (with a profile
and a plan made through the CLI, so "/" renders the dashboard with today's tasks instead of
redirecting to /welcome), warms it up,
then runs ``wrk --latency`` against each endpoint and prints p50 / p99 latency and requests/sec with
PASS/MISS against the targets.

Exit status: 0 when the figures were measured (even if a target is missed: this reports figures, it
is not a test); non-zero when something broke (server did not start, a non-200 response, wrk
reported non-2xx/3xx responses or socket errors, wrk missing, ...).

Usage: .venv/bin/python benchmarks/bench_web.py --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (path, target p99 in ms or None for "reported only")
P99_TARGET_MS = 50.0
ENDPOINTS: list[tuple[str, float | None]] = [
    ("/", P99_TARGET_MS),  # dashboard
    ("/rounds/ml-system-design", P99_TARGET_MS),  # content page
    ("/frameworks/five-phases", P99_TARGET_MS),  # content page
    ("/search?q=kv+cache", None),  # search (reported only)
    ("/api/dashboard", None),  # JSON API (reported only)
]

UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class BenchError(RuntimeError):
    """Something broke: the run is not trustworthy."""


@dataclass
class WrkResult:
    path: str
    p50_ms: float
    p99_ms: float
    rps: float
    requests: int
    bytes_read: float
    timeouts: int = 0
    raw: str = field(default="", repr=False)


def find_loopprep() -> str:
    candidates = [Path(sys.executable).parent / "loopprep", REPO / ".venv" / "bin" / "loopprep"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which("loopprep")
    if found:
        return found
    raise BenchError("cannot find the loopprep executable (run scripts/install, or use .venv/bin/python)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(data_dir: Path) -> dict[str, str]:
    """The current environment without any LOOPPREP_* setting, pointed at the fresh data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env["LOOPPREP_DATA_DIR"] = str(data_dir)
    return env


def to_ms(value: str, unit: str) -> float:
    try:
        return float(value) * UNIT_TO_MS[unit]
    except KeyError:
        raise BenchError(f"unknown wrk time unit {unit!r}") from None


def parse_wrk(path: str, out: str) -> WrkResult:
    """Parse wrk's text report; raise BenchError on errors or anything missing."""
    if m := re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out):
        raise BenchError(f"{path}: wrk reported {m.group(1)} non-2xx/3xx responses\n{out}")
    timeouts = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        connect, read, write, timeouts = (int(g) for g in m.groups())
        if connect or read or write:
            raise BenchError(
                f"{path}: wrk socket errors (connect {connect}, read {read}, write {write}, timeout {timeouts})\n{out}"
            )
    # "  Latency Distribution" then lines like "     50%    4.90ms" / "     99%    1.02s"
    dist = {
        f"{pct}%": to_ms(value, unit)
        for pct, value, unit in re.findall(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M)
    }
    rps = re.search(r"^Requests/sec:\s*([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in [^,]+,\s*([\d.]+)([KMGTP]?)B read", out, re.M)
    if "50%" not in dist or "99%" not in dist or not rps or not total:
        raise BenchError(f"{path}: could not parse wrk output (was --latency passed?)\n{out}")
    if int(total.group(1)) == 0:
        raise BenchError(f"{path}: wrk completed no requests\n{out}")
    bytes_read = float(total.group(2)) * 1024 ** " KMGTP".index(total.group(3) or " ")
    return WrkResult(
        path, dist["50%"], dist["99%"], float(rps.group(1)), int(total.group(1)), bytes_read, timeouts, out
    )


def get_status(port: int, path: str, timeout: float = 5.0) -> tuple[int, str]:
    """One GET without following redirects: (status, location header)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("location") or ""
    finally:
        conn.close()


class Server:
    """``loopprep serve`` in its own process group, so its uvicorn workers stop with it."""

    def __init__(self, loopprep: str, data_dir: Path, port: int, workers: int, log_path: Path) -> None:
        self.cmd = [loopprep, "serve", "--port", str(port), "--workers", str(workers)]
        self.env = clean_env(data_dir)
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def check_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise BenchError(f"the server exited (code {code}). Its log:\n{self.log_tail()}")

    def wait_ready(self, timeout: float = 60.0) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            self.check_alive()
            try:
                status, _ = get_status(self.port, "/api/dashboard", timeout=2.0)
                if status == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"the server did not answer within {timeout:.0f} s. Its log:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            pgid = self.proc.pid  # start_new_session: the group id is the server's pid
            for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # uvicorn's worker processes share the group: make sure none outlives the run
        time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()
        self.proc = None


def run_wrk(wrk: str, url: str, path: str, threads: int, connections: int, duration: str) -> WrkResult:
    cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", duration, "--latency", url]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")
    return parse_wrk(path, res.stdout)


def duration_arg(text: str) -> str:
    """wrk accepts 10, 10s, 2m ...; keep it as wrk wants it but validate here."""
    if not re.fullmatch(r"\d+(\.\d+)?[smh]?", text):
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 10s, 30s, 1m)")
    return text if text[-1] in "smh" else text + "s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2: a 2-core machine)")
    p.add_argument("--duration", type=duration_arg, default="10s", help="wrk duration per endpoint (default 10s)")
    p.add_argument("--connections", type=int, default=32, help="wrk open connections (default 32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--warmup", type=duration_arg, default="2s", help="wrk warm-up per endpoint (default 2s)")
    p.add_argument("--keep-data", action="store_true", help="keep the temp data dir (and server log)")
    p.add_argument(
        "--only",
        action="append",
        metavar="PATH",
        choices=[path for path, _ in ENDPOINTS],
        help="measure only this endpoint (repeat for several; default all)",
    )
    args = p.parse_args(argv)
    if args.threads > args.connections:
        p.error("--threads must not exceed --connections (wrk needs a connection per thread)")

    endpoints = [(path, target) for path, target in ENDPOINTS if not args.only or path in args.only]
    wrk = shutil.which("wrk")
    if not wrk:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="loopprep-bench-web-"))
    server: Server | None = None

    def on_term(signum, frame):  # let `finally` stop the server on SIGTERM too
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    try:
        loopprep = find_loopprep()
        loop_date = (dt.date.today() + dt.timedelta(days=30)).isoformat()  # always a month ahead
        profile = subprocess.run(
            [loopprep, "--data-dir", str(data_dir), "profile", "set", "--role", "ml-engineer", "--level", "l5",
             "-c", "faang", "--loop-date", loop_date],
            env=clean_env(data_dir), capture_output=True, text=True,
        )  # fmt: skip
        if profile.returncode != 0:
            raise BenchError(f"setting the profile failed:\n{profile.stdout}\n{profile.stderr}")
        # A plan starting today, so the dashboard lists today's tasks and the plan's progress.
        plan = subprocess.run(
            [loopprep, "--data-dir", str(data_dir), "plan", "create"],
            env=clean_env(data_dir), capture_output=True, text=True,
        )  # fmt: skip
        if plan.returncode != 0:
            raise BenchError(f"making the plan failed:\n{plan.stdout}\n{plan.stderr}")

        port = free_port()
        server = Server(loopprep, data_dir, port, args.workers, data_dir / "server.log")
        server.start()
        ready_s = server.wait_ready()
        base = f"http://127.0.0.1:{port}"

        # Every endpoint must answer 200 itself (wrk only flags >= 400, so a 303 to /welcome would pass it).
        for path, _ in endpoints:
            status, location = get_status(port, path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}{' -> ' + location if location else ''}, not 200")

        # Warm-up: fill every worker's caches (templates, content, SQLite pages) before measuring.
        for path, _ in endpoints:
            run_wrk(wrk, base + path, path, args.threads, args.connections, args.warmup)
        server.check_alive()

        load_before = os.getloadavg()
        results: list[tuple[WrkResult, float | None]] = []
        for path, target in endpoints:
            r = run_wrk(wrk, base + path, path, args.threads, args.connections, args.duration)
            server.check_alive()
            results.append((r, target))
        load_after = os.getloadavg()
    except BenchError as e:
        print(f"\nBENCHMARK BROKE: {e}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
        if args.keep_data:
            print(f"(data dir kept: {data_dir})", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()
    print(f"loopprep web benchmark  ({wrk_version[0] if wrk_version else 'wrk'})")
    print(
        f"workers={args.workers}  connections={args.connections}  threads={args.threads}  "
        f"duration={args.duration}/endpoint  warm-up={args.warmup}/endpoint  cpus={os.cpu_count()}"
    )
    print(
        f"server ready in {ready_s:.2f} s; load average 1 min: {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(f"target: dashboard and content pages p99 < {P99_TARGET_MS:.0f} ms (search and API: reported only)")
    print()
    columns = f"{'p50 ms':>8} {'p99 ms':>8} {'req/s':>9} {'requests':>9} {'KB/resp':>8}"
    header = f"{'endpoint':<28} {columns}  {'target':<12} result"
    print(header)
    print("-" * len(header))
    misses = 0
    for r, target in results:
        if target is None:
            tgt, verdict = "-", "-"
        else:
            tgt = f"p99 < {target:.0f}"
            verdict = "PASS" if r.p99_ms < target else "MISS"
            misses += verdict == "MISS"
        note = f"  ({r.timeouts} timeouts)" if r.timeouts else ""
        figures = (
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.rps:>9.1f} {r.requests:>9} {r.bytes_read / r.requests / 1024:>8.1f}"
        )
        print(f"{r.path:<28} {figures}  {tgt:<12} {verdict}{note}")
    print()
    print(f"{misses} target(s) missed" if misses else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
