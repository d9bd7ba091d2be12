"""The kernel's protections around a submission, set up once in the zygote and entered by each
forked child before it runs user code.

Layers (each reported on or off, with why, in :attr:`Sandbox.protections`):

- **namespaces**: the zygote lives in its own PID, network, IPC and UTS namespaces.  The network
  namespace is empty (its loopback is down), so nothing can be reached, 127.0.0.1 included.  Each
  submission then runs as PID 1 of a further PID namespace of its own (the zygote unshares one
  just before each fork and returns to its own right after), so it sees and can signal no other
  process, while the zygote, outside, can still kill and reap it.
- **user**: the child drops to an unprivileged uid of its own (one per concurrent slot), so it
  cannot signal the zygote or a neighbouring submission, and it has no capabilities.
- **filesystem**: Landlock; read-only access to numpy's package directory and the standard
  library, nothing else; no writes anywhere.  loopprep's own files (the hidden tests), the user's
  home and the database are outside the allowed set.
- **seccomp**: no sockets, no exec, no fork/clone (so no threads or processes), no ptrace, mount,
  namespaces, BPF, keyrings or io_uring.
- **rlimits**: CPU seconds, address space, file size 0, one process, a few open files, no core.
- **no_new_privs**: set before Landlock and seccomp.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import math
import os
import resource
from dataclasses import dataclass, field
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
UID_BASE = 64000  # slot uids: UID_BASE + slot (no login user on a normal system has them)

LAYERS = ("namespaces", "user", "filesystem", "seccomp", "rlimits", "no_new_privs")

DENIED_SYSCALLS = (
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "execve",
    "execveat",
    "fork",
    "vfork",
    "clone",
    "clone3",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "open_tree",
    "fsopen",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "mknod",
    "mknodat",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "personality",
)

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _check(res: int, what: str) -> None:
    if res != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), "prctl")


@dataclass
class Protection:
    on: bool
    how: str

    def as_dict(self) -> dict:
        return {"on": self.on, "how": self.how}


@dataclass
class Sandbox:
    """What this zygote can enforce, built once before any submission arrives."""

    disabled: frozenset[str] = frozenset()
    protections: dict[str, Protection] = field(default_factory=dict)
    _ruleset: Any = None  # a landlock Ruleset (the library ships no type information)
    _seccomp: Any = None  # a pyseccomp filter (likewise untyped)
    base_vm_bytes: int = 0
    can_setuid: bool = False
    pid_per_child: bool = False  # each submission is PID 1 of a namespace of its own

    def prepare(self, namespaces: Protection) -> None:
        self.protections["namespaces"] = namespaces
        self.pid_per_child = namespaces.on
        self.base_vm_bytes = _vm_size()
        self._prepare_user()
        self._prepare_landlock()
        self._prepare_seccomp()
        self.protections["rlimits"] = Protection(
            True, "CPU seconds, address space, no file writes, one process, 16 open files, no core dumps"
        )
        self.protections["no_new_privs"] = Protection(True, "set before any user code runs")

    def _prepare_user(self) -> None:
        if "user" in self.disabled:
            self.protections["user"] = Protection(False, "turned off by setting")
        elif os.geteuid() == 0:
            self.can_setuid = True
            self.protections["user"] = Protection(True, f"each submission runs as its own uid ({UID_BASE}+slot)")
        else:
            self.protections["user"] = Protection(False, "the judge is not root, so code runs as your own user")

    def _prepare_landlock(self) -> None:
        if "filesystem" in self.disabled:
            self.protections["filesystem"] = Protection(False, "turned off by setting")
            return
        try:
            import landlock
            from landlock.plumbing import FSAccess, landlock_abi_version

            abi = landlock_abi_version()
            ruleset = landlock.Ruleset()
            for path in readable_paths():
                rights = FSAccess.READ_FILE | (FSAccess.READ_DIR if os.path.isdir(path) else 0)
                ruleset.allow(path, rules=rights)
        except Exception as exc:  # noqa: BLE001 - any failure means the layer is off, and we say why
            self.protections["filesystem"] = Protection(False, f"Landlock unavailable: {exc}")
            return
        self._ruleset = ruleset
        self.protections["filesystem"] = Protection(
            True, f"Landlock ABI {abi}: read-only numpy and the standard library; no writes"
        )

    def _prepare_seccomp(self) -> None:
        if "seccomp" in self.disabled:
            self.protections["seccomp"] = Protection(False, "turned off by setting")
            return
        try:
            import pyseccomp as seccomp

            f = seccomp.SyscallFilter(seccomp.ALLOW)
            for name in DENIED_SYSCALLS:
                try:
                    f.add_rule(seccomp.ERRNO(errno.EPERM), name)
                except (OSError, ValueError, RuntimeError):
                    continue  # a syscall this architecture does not have
        except Exception as exc:  # noqa: BLE001
            self.protections["seccomp"] = Protection(False, f"seccomp unavailable: {exc}")
            return
        self._seccomp = f
        self.protections["seccomp"] = Protection(True, "no sockets, exec, fork, threads, ptrace or mounts")

    def enter(self, *, slot: int, cpu_s: float, memory_mb: int, keep_fd: int) -> None:
        """In the forked child: close everything but ``keep_fd``, then lock the doors, in order."""
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        keep = {0, 1, 2, keep_fd}
        ruleset_fd = getattr(self._ruleset, "_fd", None)
        if ruleset_fd is not None:
            keep.add(ruleset_fd)
        _close_all_but(keep)
        cpu = max(1, math.ceil(cpu_s))
        # soft = hard: the kernel then sends SIGKILL (PID 1 of a namespace ignores SIGXCPU)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        mem = self.base_vm_bytes + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
        if self.can_setuid:
            resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if self._ruleset is not None:
            self._ruleset.apply()
            if ruleset_fd is not None:
                os.close(ruleset_fd)
        if self.can_setuid:
            uid = UID_BASE + slot
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        # after the uid change, which clears it: die with the zygote
        prctl(PR_SET_PDEATHSIG, 9)
        if self._seccomp is not None:
            self._seccomp.load()

    def describe(self) -> dict:
        return {name: self.protections[name].as_dict() for name in LAYERS if name in self.protections}


def readable_paths() -> list[str]:
    """numpy's own directories and the standard library: all an import inside the sandbox may read."""
    import sysconfig

    import numpy

    paths = {os.path.dirname(numpy.__file__)}
    libs = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
    if os.path.isdir(libs):
        paths.add(libs)
    for key in ("stdlib", "platstdlib"):
        p = sysconfig.get_paths().get(key)
        if p and os.path.isdir(p):
            # the standard library minus its site-packages (other installed packages live there)
            for entry in os.scandir(p):
                if entry.name != "site-packages":
                    paths.add(entry.path)
    return sorted(paths)


def enter_namespaces(disabled: frozenset[str]) -> Protection:
    """Called first thing in the zygote.  On success the caller forks: the child is PID 1 of a new
    PID namespace, in an empty network namespace."""
    if "namespaces" in disabled:
        return Protection(False, "turned off by setting")
    flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    try:
        unshare(flags)
        return Protection(
            True, "own network (no interfaces up), IPC and UTS namespaces; each submission alone in a PID namespace"
        )
    except OSError as root_exc:
        if os.geteuid() != 0:
            try:
                unshare(CLONE_NEWUSER | flags)
                return Protection(True, "user namespace with own PID, network, IPC and UTS namespaces")
            except OSError as exc:
                return Protection(False, f"namespaces unavailable: {exc.strerror}")
        return Protection(False, f"namespaces unavailable: {root_exc.strerror}")


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _close_all_but(keep: set[int]) -> None:
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
