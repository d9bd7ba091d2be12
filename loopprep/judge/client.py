"""The trusted side of the judge: starts the zygote, sends jobs, and hands back how each child
ended plus its raw output.  Grading (:mod:`loopprep.engines.judge.grade`) happens here, in the
parent, never in the sandbox.

One :class:`Judge` per process that judges (a web worker, a CLI command).  It is thread-safe: web
requests submit from the thread pool and wait on their own future.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from loopprep.engines.judge.grade import Exit
from loopprep.errors import LoopprepError
from loopprep.judge import protocol

log = logging.getLogger("loopprep.judge")

START_TIMEOUT_S = 60.0


class JudgeUnavailable(LoopprepError):
    """The zygote could not start or died: loopprep's fault, not the submission's."""

    status_code = 503


class JudgeBusy(JudgeUnavailable):
    """More submissions are waiting for a free sandbox than the judge accepts: try again."""


@dataclass(frozen=True)
class RunOutput:
    exit: Exit
    output: bytes
    latency_ms: float


class Judge:
    def __init__(self, *, protections_off: tuple[str, ...] = (), parallel: int = 4, max_waiting: int = 8):
        self.protections_off = tuple(protections_off)
        self.parallel = parallel
        self.max_waiting = max_waiting
        # A job holds a slot while it runs: at most `parallel` are sent to the zygote at once, so a
        # job's wall clock starts when it starts, never while it waits behind others.
        self._slots = threading.BoundedSemaphore(parallel)
        self._waiting = 0
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._pending: dict[str, Future] = {}
        self._ids = itertools.count(1)
        self.protections: dict[str, dict] = {}
        self.started_ms: float | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            self._start_locked()

    def _start_locked(self) -> None:
        t0 = time.perf_counter()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "LOOPPREP_JUDGE_OFF": ",".join(self.protections_off),
            "LOOPPREP_JUDGE_PARALLEL": str(self.parallel),
        }
        if "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "loopprep.judge.zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd="/",
                env=env,
                close_fds=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise JudgeUnavailable(
                f"The judge could not start: {exc}.", "Check that Python can run loopprep."
            ) from None
        try:
            hello, _ = _read_with_timeout(proc, START_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001
            err = _drain_stderr(proc)
            proc.kill()
            proc.wait()
            raise JudgeUnavailable(
                f"The judge's sandbox process did not start: {exc}. {err}".strip(),
                "Run `loopprep code check` to see the full error; numpy must be importable.",
            ) from None
        if hello.get("event") != "ready":
            proc.kill()
            raise JudgeUnavailable(f"The judge said {hello!r} instead of ready.", "This is a bug in loopprep.")
        self._proc = proc
        self.protections = hello.get("protections", {})
        self.started_ms = (time.perf_counter() - t0) * 1000
        threading.Thread(target=self._reader, args=(proc,), daemon=True, name="judge-reader").start()
        threading.Thread(target=self._stderr_logger, args=(proc,), daemon=True, name="judge-stderr").start()

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                if proc.stdin is not None:
                    proc.stdin.close()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
        self._fail_pending("the judge was closed")

    def __enter__(self) -> Judge:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    # ---- jobs -----------------------------------------------------------------------------------

    def run(self, job: dict, *, cpu_s: float, memory_mb: int, wall_s: float | None = None) -> RunOutput:
        """Run one job in a fresh sandboxed child and wait for it to end.  The job waits for a free
        slot first (its time limit starts when it starts); with ``max_waiting`` jobs already
        waiting, raises :class:`JudgeBusy` at once."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.max_waiting:
                    raise JudgeBusy(
                        f"The judge is busy: {self._waiting} submissions are already waiting for a sandbox.",
                        "Try again in a few seconds; nothing was graded or recorded.",
                    )
                self._waiting += 1
            try:
                self._slots.acquire()
            finally:
                with self._lock:
                    self._waiting -= 1
        try:
            return self._run_in_slot(job, cpu_s=cpu_s, memory_mb=memory_mb, wall_s=wall_s)
        finally:
            self._slots.release()

    def _run_in_slot(self, job: dict, *, cpu_s: float, memory_mb: int, wall_s: float | None) -> RunOutput:
        wall = wall_s if wall_s is not None else cpu_s * 2 + 1.0
        t0 = time.perf_counter()
        fut: Future = Future()
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                if self._proc is not None:
                    log.error("judge zygote exited with %s; restarting", self._proc.returncode)
                self._start_locked()
            jid = str(next(self._ids))
            self._pending[jid] = fut
            frame = protocol.encode(
                {"op": "run", "id": jid, "job": job, "limits": {"cpu_s": cpu_s, "memory_mb": memory_mb, "wall_s": wall}}
            )
            proc = self._proc
            assert proc is not None and proc.stdin is not None  # started above, with pipes
            try:
                proc.stdin.write(frame)
                proc.stdin.flush()
            except OSError as exc:
                self._pending.pop(jid, None)
                raise JudgeUnavailable(f"The judge stopped answering: {exc}.", "Try again; it restarts.") from None
        try:
            head, payload = fut.result(timeout=wall + 10)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(jid, None)
            raise JudgeUnavailable("The judge did not answer in time.", "Try again; it restarts.") from None
        e = head.get("exit", {})
        exit = Exit(
            kind=str(e.get("kind", "crash")),
            code=e.get("code"),
            signal=e.get("signal"),
            cpu_s=float(e.get("cpu_s", 0)),
            wall_s=float(e.get("wall_s", 0)),
            max_rss_kib=int(e.get("max_rss_kib", 0)),
            detail=str(e.get("detail", "")),
        )
        if b'"event": "sandbox_error"' in payload[:4096] and b'"event": "start"' not in payload[:4096]:
            log.error("judge sandbox could not be entered: %s", payload[:2000].decode(errors="replace"))
            raise JudgeUnavailable("The judge could not set up its sandbox.", "See the server log for details.")
        return RunOutput(exit, payload, (time.perf_counter() - t0) * 1000)

    def _reader(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None  # started with pipes
        fd = proc.stdout.fileno()
        while True:
            try:
                head, payload = protocol.read_frame(fd)
            except (EOFError, OSError, ValueError, protocol.ProtocolError) as exc:
                if self._proc is proc:
                    log.error("judge channel closed: %s", exc)
                self._fail_pending(f"the judge process ended ({exc})", proc=proc)
                return
            fut = self._pending.pop(str(head.get("id")), None)
            if fut is not None:
                fut.set_result((head, payload))

    def _fail_pending(self, why: str, proc: subprocess.Popen | None = None) -> None:
        with self._lock:
            if proc is not None and self._proc is not proc and self._proc is not None:
                return
            pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(JudgeUnavailable(f"The judge failed: {why}.", "Try again; it restarts."))

    def _stderr_logger(self, proc: subprocess.Popen) -> None:
        assert proc.stderr is not None  # started with pipes
        for line in proc.stderr:
            log.warning("judge: %s", line.decode(errors="replace").rstrip())


def _read_with_timeout(proc: subprocess.Popen, timeout: float) -> tuple[dict, bytes]:
    import selectors

    assert proc.stdout is not None  # started with pipes
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise TimeoutError(f"no answer within {timeout:.0f} s")
    return protocol.read_frame(fd)


def _drain_stderr(proc: subprocess.Popen) -> str:
    try:
        proc.kill()
        _, err = proc.communicate(timeout=2)
    except Exception:  # noqa: BLE001
        return ""
    lines = err.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""
