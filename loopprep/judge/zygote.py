"""The judge's zygote: a process of its own that imports numpy once, then forks one sandboxed
child per submission.

Started by :class:`loopprep.judge.client.Judge` as ``python -m loopprep.judge.zygote`` with two
pipes and nothing else.  It reads job frames on stdin and answers each with a frame holding how the
child ended and the child's raw output.  It never parses that output: the trusted parent does.
It never runs user code itself and never sees an expected value.
"""

from __future__ import annotations

import contextlib
import math
import os
import selectors
import signal
import sys
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import resource

# What a submission may import: loaded here, before any sandbox exists, because the child may not
# read the interpreter's files (on many machines they sit in a home directory it cannot enter).
PRELOAD = (
    "abc",
    "array",
    "bisect",
    "cmath",
    "collections",
    "collections.abc",
    "contextlib",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "heapq",
    "itertools",
    "json",
    "math",
    "numbers",
    "operator",
    "pprint",
    "queue",
    "random",
    "re",
    "statistics",
    "string",
    "struct",
    "textwrap",
    "time",
    "typing",
    "unicodedata",
    "warnings",
    # numpy imports these lazily, on first attribute access (``np.unique`` reaches ``numpy.ma``):
    # inside the sandbox that import would fail, so every public submodule is loaded here.
    "numpy",
    "numpy.char",
    "numpy.ctypeslib",
    "numpy.dtypes",
    "numpy.exceptions",
    "numpy.fft",
    "numpy.lib",
    "numpy.lib.array_utils",
    "numpy.lib.format",
    "numpy.lib.introspect",
    "numpy.lib.mixins",
    "numpy.lib.npyio",
    "numpy.lib.recfunctions",
    "numpy.lib.scimath",
    "numpy.lib.stride_tricks",
    "numpy.linalg",
    "numpy.ma",
    "numpy.ma.extras",
    "numpy.matrixlib",
    "numpy.polynomial",
    "numpy.polynomial.chebyshev",
    "numpy.polynomial.hermite",
    "numpy.polynomial.hermite_e",
    "numpy.polynomial.laguerre",
    "numpy.polynomial.legendre",
    "numpy.polynomial.polynomial",
    "numpy.random",
    "numpy.rec",
    "numpy.strings",
)


@dataclass
class Child:
    id: str
    pid: int
    pidfd: int
    rfd: int
    slot: int
    started: float
    deadline: float
    cap: int
    cpu_s: float
    buf: bytearray = field(default_factory=bytearray)
    killed: str = ""
    detail: str = ""
    status: int | None = None
    rusage: resource.struct_rusage | None = None
    eof: bool = False


class Zygote:
    def __init__(self, sandbox, harness, max_parallel: int, chan_in: int, chan_out: int):
        self.sb, self.harness = sandbox, harness
        self.sel = selectors.DefaultSelector()
        self.free_slots = deque(range(max_parallel))
        self.queue: deque[dict] = deque()
        self.children: dict[str, Child] = {}
        self.inbuf = bytearray()
        self.chan_in, self.chan_out = chan_in, chan_out
        # The zygote's own PID namespace, to return to after giving each child a new one.
        self.own_pid_ns: int | None = None
        if sandbox.pid_per_child:
            try:
                self.own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
            except OSError:
                self.own_pid_ns = None
        from loopprep.judge import protocol

        self.protocol = protocol

    def send(self, obj: dict, payload: bytes = b"") -> None:
        self.protocol.write_all(self.chan_out, self.protocol.encode(obj, payload))

    def serve(self) -> None:
        os.set_blocking(self.chan_in, False)
        self.sel.register(self.chan_in, selectors.EVENT_READ, ("in", None))
        while True:
            timeout = None
            if self.children:
                timeout = max(0.0, min(c.deadline for c in self.children.values()) - time.monotonic())
            for key, _ in self.sel.select(timeout):
                kind, child = key.data
                if kind == "in":
                    if not self._read_requests():
                        self._shutdown()
                        return
                elif kind == "out":
                    self._read_child(child)
                elif kind == "exit":
                    self._reap(child)
            now = time.monotonic()
            for child in list(self.children.values()):
                if child.status is None and not child.killed and now >= child.deadline:
                    child.killed, child.detail = "timeout", "wall clock"
                    self._kill(child)
            self._start_queued()

    # ---- requests -----------------------------------------------------------------------------

    def _read_requests(self) -> bool:
        while True:
            try:
                chunk = os.read(self.chan_in, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                return False
            self.inbuf += chunk
        H = self.protocol.HEADER
        import json

        while len(self.inbuf) >= H.size:
            n_head, n_payload = H.unpack_from(self.inbuf)
            if len(self.inbuf) < H.size + n_head + n_payload:
                break
            head = bytes(self.inbuf[H.size : H.size + n_head])
            del self.inbuf[: H.size + n_head + n_payload]
            try:
                req = json.loads(head)
            except ValueError:
                self.send({"event": "error", "detail": "unreadable request"})
                continue
            if req.get("op") == "ping":
                self.send({"event": "pong", "id": req.get("id")})
            else:
                self.queue.append(req)
        self._start_queued()
        return True

    def _start_queued(self) -> None:
        while self.queue and self.free_slots:
            self._spawn(self.queue.popleft(), self.free_slots.popleft())

    def _spawn(self, req: dict, slot: int) -> None:
        limits = req.get("limits", {})
        cpu_s = float(limits.get("cpu_s", 2.0))
        with contextlib.suppress(Exception):  # a bad forbidden name is reported by the child instead
            self.harness.prepare(req["job"])
        r, w = os.pipe()
        started = time.monotonic()
        own_ns = self._new_pid_namespace_for_next_child()
        pid = os.fork()
        if pid == 0:  # never returns
            os.close(r)
            code = 0
            try:
                self.sb.enter(slot=slot, cpu_s=cpu_s, memory_mb=int(limits.get("memory_mb", 256)), keep_fd=w)
            except BaseException:  # noqa: BLE001 - the sandbox could not be entered: say so, run nothing
                self._child_report(w, "sandbox_error", traceback.format_exc(limit=3))
                os._exit(70)
            try:
                self.harness.run(req["job"], w)
            except BaseException:  # noqa: BLE001
                code = 71
            os._exit(code)
        if own_ns:
            self._back_to_own_pid_namespace()
        os.close(w)
        os.set_blocking(r, False)
        pidfd = os.pidfd_open(pid)
        child = Child(
            id=str(req.get("id")),
            pid=pid,
            pidfd=pidfd,
            rfd=r,
            slot=slot,
            started=started,
            deadline=started + float(limits.get("wall_s", cpu_s * 2 + 1)),
            cap=int(limits.get("output_bytes", 16 * 2**20)),
            cpu_s=cpu_s,
        )
        self.children[child.id] = child
        self.sel.register(r, selectors.EVENT_READ, ("out", child))
        self.sel.register(pidfd, selectors.EVENT_READ, ("exit", child))

    def _new_pid_namespace_for_next_child(self) -> bool:
        """Make the next fork PID 1 of a new PID namespace of its own (undone right after the fork)."""
        if self.own_pid_ns is None:
            return False
        from loopprep.judge.sandbox import CLONE_NEWPID, unshare

        try:
            unshare(CLONE_NEWPID)
        except OSError:
            return False
        return True

    def _back_to_own_pid_namespace(self) -> None:
        from loopprep.judge.sandbox import CLONE_NEWPID, setns

        assert self.own_pid_ns is not None  # only called after _new_pid_namespace_for_next_child succeeded
        setns(self.own_pid_ns, CLONE_NEWPID)

    @staticmethod
    def _child_report(fd: int, event: str, detail: str) -> None:
        import json

        with contextlib.suppress(OSError):
            os.write(fd, (json.dumps({"event": event, "detail": detail}) + "\n").encode())

    # ---- children -----------------------------------------------------------------------------

    def _read_child(self, child: Child) -> None:
        while True:
            try:
                chunk = os.read(child.rfd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                child.eof = True
                self.sel.unregister(child.rfd)
                os.close(child.rfd)
                self._finish_if_done(child)
                return
            if len(child.buf) + len(chunk) > child.cap:
                if not child.killed:
                    child.killed, child.detail = "output-limit", f"more than {child.cap // 2**20} MiB"
                    self._kill(child)
                continue
            child.buf += chunk

    def _kill(self, child: Child) -> None:
        # From the zygote's (ancestor) namespace SIGKILL reaches a child that is PID 1 of its own.
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)

    def _reap(self, child: Child) -> None:
        pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
        if pid == 0:
            return
        child.status, child.rusage = status, rusage
        self.sel.unregister(child.pidfd)
        os.close(child.pidfd)
        if not child.eof:  # the process is gone; whatever is in the pipe is all there is
            self._read_child(child)
        self._finish_if_done(child)

    def _finish_if_done(self, child: Child) -> None:
        if child.status is None or child.rusage is None or not child.eof:  # set together by wait4
            return
        del self.children[child.id]
        self.free_slots.append(child.slot)
        status, ru = child.status, child.rusage
        cpu = ru.ru_utime + ru.ru_stime
        exit = {
            "cpu_s": round(cpu, 4),
            "wall_s": round(time.monotonic() - child.started, 4),
            "max_rss_kib": ru.ru_maxrss,
            "detail": child.detail,
        }
        if child.killed:
            exit["kind"] = child.killed
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            exit["kind"] = "signal"
            exit["signal"] = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
            # We did not send this SIGKILL (child.killed is unset): the kernel did, at the CPU
            # rlimit (whole seconds, soft = hard).  rusage samples CPU time more coarsely than the
            # kernel's timer checks it, so on a busy machine it can read well under the limit.
            if sig == signal.SIGKILL and cpu >= max(1, math.ceil(child.cpu_s)) * 0.75:
                exit["detail"] = "cpu"
        else:
            exit["kind"] = "exited"
            exit["code"] = os.WEXITSTATUS(status)
        self.send({"event": "result", "id": child.id, "exit": exit}, bytes(child.buf))

    def _shutdown(self) -> None:
        for child in self.children.values():
            self._kill(child)


def main() -> None:
    disabled = frozenset(x.strip() for x in os.environ.get("LOOPPREP_JUDGE_OFF", "").split(",") if x.strip())
    max_parallel = int(os.environ.get("LOOPPREP_JUDGE_PARALLEL", "4"))
    # Keep the channel on high descriptors; point 0-2 at /dev/null so a stray print cannot corrupt it.
    chan_in, chan_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process

    from loopprep.judge.sandbox import PR_SET_PDEATHSIG, Sandbox, enter_namespaces, prctl

    ns = enter_namespaces(disabled)
    if ns.on:
        pid = os.fork()  # the child is PID 1 of the new namespace; this process only waits for it
        if pid:
            os.close(chan_in)
            os.close(chan_out)
            signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
            _, status = os.waitpid(pid, 0)
            os._exit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    from loopprep.judge import harness, protocol

    sandbox = Sandbox(disabled=disabled)
    sandbox.prepare(ns)
    import gc

    gc.collect()
    gc.freeze()  # children start with every object already seen: the collector does not touch their pages
    protocol.write_all(
        chan_out,
        protocol.encode({"event": "ready", "protections": sandbox.describe(), "parallel": max_parallel}),
    )
    Zygote(sandbox, harness, max_parallel, chan_in, chan_out).serve()


if __name__ == "__main__":
    main()
