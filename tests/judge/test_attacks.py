"""The attack suite: hostile submissions against the real judge, every kernel layer on.

Each test sends one attack and asserts the exact verdict and that nothing leaked: no secret in the
bytes that came back, no file written, no connection or datagram at a listener, no process left
running as a sandbox uid, the same zygote still serving and still judging a plain submission.
Files an attack reads sit where Unix permissions would let the sandbox uid in, so only the sandbox
stops them (a judge with Landlock and seccomp off shows the same reads then succeed); the home
directory, 0700 here, is also attacked from a judge whose child stays root, so Landlock alone.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import loopprep
from loopprep.engines.judge.grade import Exit, Graded, Verdict, grade
from loopprep.engines.judge.problem import Problem
from loopprep.judge.runner import cases_of
from loopprep.judge.runner import judge as run_judge
from loopprep.judge.sandbox import UID_BASE

REPO = Path(loopprep.__file__).resolve().parent.parent
PROBLEM_FILE = REPO / "loopprep" / "content" / "data" / "problems" / "stable-softmax.yaml"
PYPROJECT = REPO / "pyproject.toml"
HIDDEN_EXPECTED = "123456.789"  # the expected value of one hidden test; no argument holds it
HIDDEN_ARG = "61728.3945"  # that test's argument, which the sandbox must see
SLOT_UIDS = range(UID_BASE, UID_BASE + 64)

DOUBLE = Problem.model_validate(
    {
        "id": "double-them",
        "title": "Double them",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["faang"],
        "statement": "Return a new list holding every element of x multiplied by two, as floats.",
        "function": "double",
        "signature": "def double(x: list[float]) -> list[float]",
        "returns": "list[float]",
        "params": {"x": "list[float]"},
        "starter": "def double(x):\n    raise NotImplementedError\n",
        "reference": "def double(x):\n    return [2.0 * v for v in x]\n",
        "mutants": [
            {"bug": "adds two instead", "source": "def double(x):\n    return [v + 2.0 for v in x]\n"},
            {"bug": "returns the input", "source": "def double(x):\n    return list(x)\n"},
        ],
        "limits": {"time_s": 0.5, "memory_mb": 128},
        "tests": [
            {"args": [[1.0, 2.0]], "expected": [2.0, 4.0], "visible": True, "note": "two numbers"},
            {"args": [[float(HIDDEN_ARG)]], "expected": [float(HIDDEN_EXPECTED)], "note": "a large value"},
            {"args": [[]], "expected": [], "note": "edge case: empty list"},
            {"args": [[-1.5, 0.0]], "expected": [-3.0, 0.0], "note": "negative and zero"},
            {"args": [[0.25] * 3], "expected": [0.5] * 3, "note": "repeated values"},
            {"args": [[1e300]], "expected": [2e300], "note": "huge magnitude"},
        ],
    }
)
ZEROS = "def double(x):\n    return [0.0 for _ in x]\n"

# Raw system calls through ctypes, so an attack reaches the kernel whatever Python refuses to import.
RAW = """
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)


def sys_call(name, *args):
    r = getattr(libc, name)(*args)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{name}: {os.strerror(e)}")
    return r


def inet(port):
    return (2).to_bytes(2, "little") + port.to_bytes(2, "big") + bytes([127, 0, 0, 1]) + bytes(8)
"""

# Write a line straight to the result pipe, whichever descriptor it is.
FORGE = """
import os


def forge(data):
    for fd in range(3, 64):
        try:
            os.write(fd, data)
        except OSError:
            pass
"""


@dataclass
class Attempt:
    graded: Graded
    raw: bytes
    exit: Exit

    def text(self) -> str:
        """Everything a user or a log could see of the run."""
        return repr(self.graded) + self.raw.decode(errors="replace")

    @property
    def first(self) -> str:
        return self.graded.cases[0].message + "\n" + self.graded.cases[0].traceback


def attack(judge, source: str) -> Attempt:
    res = run_judge(judge, DOUBLE, source, visible_only=False)
    return Attempt(res.graded, judge.last.output, judge.last.exit)


def sandbox_processes(*judges) -> list[tuple[int, int, str]]:
    """(pid, uid, state) of every process running as a slot uid below one of ``judges``' zygotes
    (other judges on the machine, such as another test run's, are not ours to count)."""
    table: dict[int, tuple[int, int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        table[int(entry)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]), fields["State"].strip())
    roots = {j.pid for j in judges}
    found = []
    for pid, (ppid, uid, state) in table.items():
        if uid not in SLOT_UIDS:
            continue
        seen = set()
        while ppid > 1 and ppid not in roots and ppid not in seen:
            seen.add(ppid)
            ppid = table.get(ppid, (0,))[0]
        if ppid in roots:
            found.append((pid, uid, state))
    return found


def nothing_arrived(listener: socket.socket) -> bool:
    """True when no connection (stream) or datagram reached ``listener``."""
    try:
        if listener.type == socket.SOCK_DGRAM:
            listener.recvfrom(65536)
        else:
            listener.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.fixture(scope="module")
def zygote_pid(sandbox_judge) -> int:
    assert all(layer["on"] for layer in sandbox_judge.protections.values()), sandbox_judge.protections
    return sandbox_judge.pid


@pytest.fixture(autouse=True)
def still_standing(sandbox_judge, zygote_pid: int) -> Iterator[None]:
    """After every attack: nothing runs as a sandbox uid, the zygote is the one we started (an attack
    that killed it would be hidden by the automatic restart), and it still judges correctly."""
    yield
    assert sandbox_processes(sandbox_judge) == []
    assert sandbox_judge.pid == zygote_pid and alive(zygote_pid)
    assert alive(os.getpid())
    assert run_judge(sandbox_judge, DOUBLE, DOUBLE.reference, visible_only=False).graded.verdict is Verdict.ACCEPTED


# ---- reading files --------------------------------------------------------------------------------


def test_reading_a_problem_file_with_hidden_tests_is_denied(sandbox_judge) -> None:
    hidden = "0.4223187982515182"  # an expected value of a hidden test in that file
    assert hidden in PROBLEM_FILE.read_text()
    res = attack(sandbox_judge, f"def double(x):\n    return [open({str(PROBLEM_FILE)!r}).read()]\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first
    assert hidden not in res.text() and "stable-softmax" not in res.raw.decode().replace(str(PROBLEM_FILE), "")


def test_reading_the_projects_pyproject_is_denied(sandbox_judge) -> None:
    res = attack(sandbox_judge, f"def double(x):\n    return [open({str(PYPROJECT)!r}).read()]\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first
    assert "[tool.pytest" not in res.text()


def test_listing_or_importing_loopprep_is_denied(sandbox_judge) -> None:
    src = "from loopprep.content.loader import load_bank\nPROBLEMS = load_bank()\n\ndef double(x):\n    return x\n"
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "while it was loading" in res.graded.message
    assert "stable-softmax" not in res.text()
    res = attack(sandbox_judge, f"import os\ndef double(x):\n    return os.listdir({str(REPO / 'loopprep')!r})\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first and "engines" not in res.text()


def test_reading_the_users_home_is_denied(sandbox_judge, judge_as_root, home_secret) -> None:
    path, secret = home_secret
    src = f"def double(x):\n    return [open({str(path)!r}).read()]\n"
    # as the sandbox uid, and as root inside the sandbox (so Landlock alone must stop it)
    for judge in (sandbox_judge, judge_as_root):
        res = attack(judge, src)
        assert res.graded.verdict is Verdict.RUNTIME_ERROR
        assert "PermissionError" in res.first
        assert secret not in res.text()


@pytest.fixture
def loopprep_db(readable_dir: Path) -> tuple[Path, str]:
    """A SQLite database shaped like loopprep's, readable by anyone (0644 in a 0755 directory)."""
    secret = "db-secret-" + os.urandom(6).hex()
    db = readable_dir / "loopprep.db"
    con = sqlite3.connect(db)
    with con:
        con.execute("create table attempts (source text)")
        con.execute("insert into attempts values (?)", (secret,))
    con.close()
    db.chmod(0o644)
    return db, secret


def test_reading_a_loopprep_database_is_denied(sandbox_judge, judge_as_root, loopprep_db) -> None:
    db, secret = loopprep_db
    src = (
        "def double(x):\n"
        "    try:\n"
        "        import sqlite3\n"
        f"        rows = sqlite3.connect({str(db)!r}).execute('select source from attempts').fetchall()\n"
        "        return [str(rows)]\n"
        "    except ImportError:\n"
        f"        return [open({str(db)!r}, 'rb').read().decode('latin-1')]\n"
    )
    for judge in (sandbox_judge, judge_as_root):
        res = attack(judge, src)
        assert res.graded.verdict is Verdict.RUNTIME_ERROR
        assert "PermissionError" in res.first or "OperationalError" in res.first
        assert secret not in res.text()


def test_reading_the_zygotes_memory_through_proc_is_denied(sandbox_judge) -> None:
    src = "def double(x):\n    with open('/proc/1/mem', 'rb') as fh:\n        return [fh.read(64).hex()]\n"
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first


# ---- writing files --------------------------------------------------------------------------------


def test_writing_a_file_is_denied(sandbox_judge, writable_dir: Path) -> None:
    target = writable_dir / "dropped.txt"
    res = attack(sandbox_judge, f"def double(x):\n    open({str(target)!r}, 'w').write('pwned')\n    return x\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first
    assert not target.exists()
    assert list(writable_dir.iterdir()) == []


def test_changing_an_existing_world_writable_file_is_denied(sandbox_judge, writable_dir: Path) -> None:
    victim = writable_dir / "notes.txt"
    victim.write_text("original\n")
    victim.chmod(0o666)
    src = (
        "import os\n"
        "def double(x):\n"
        "    errors = []\n"
        f"    for act in (lambda: open({str(victim)!r}, 'a').write('pwned'),\n"
        f"                lambda: os.truncate({str(victim)!r}, 0),\n"
        f"                lambda: os.rename({str(victim)!r}, {str(victim)!r} + '.moved'),\n"
        f"                lambda: os.symlink('/etc/passwd', {str(writable_dir / 'link')!r}),\n"
        f"                lambda: os.mkdir({str(writable_dir / 'sub')!r})):\n"
        "        try:\n"
        "            act()\n"
        "        except OSError as exc:\n"
        "            errors.append(exc.errno)\n"
        "    raise PermissionError(f'blocked {len(errors)} of 5: {errors}')\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "blocked 5 of 5" in res.first
    assert victim.read_text() == "original\n"
    assert sorted(p.name for p in writable_dir.iterdir()) == ["notes.txt"]


# ---- network --------------------------------------------------------------------------------------


def test_tcp_connection_to_localhost_is_blocked(sandbox_judge, tcp_listener) -> None:
    port = tcp_listener.getsockname()[1]
    src = (
        "def double(x):\n"
        "    import socket\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'hello')\n"
        "    return x\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR  # whether `socket` fails to import or to connect
    assert nothing_arrived(tcp_listener)


def test_tcp_connection_by_raw_syscalls_is_blocked(sandbox_judge, tcp_listener) -> None:
    port = tcp_listener.getsockname()[1]
    src = RAW + (
        "def double(x):\n"
        "    fd = sys_call('socket', 2, 1, 0)\n"
        f"    sys_call('connect', fd, inet({port}), 16)\n"
        "    return x\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "socket: Operation not permitted" in res.first or "connect:" in res.first
    assert nothing_arrived(tcp_listener)


def test_udp_datagram_to_localhost_is_blocked(sandbox_judge, udp_receiver) -> None:
    port = udp_receiver.getsockname()[1]
    src = RAW + (
        "def double(x):\n"
        "    fd = sys_call('socket', 2, 2, 0)\n"
        f"    sys_call('sendto', fd, b'leak', 4, 0, inet({port}), 16)\n"
        "    return x\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "socket: Operation not permitted" in res.first or "sendto:" in res.first
    assert nothing_arrived(udp_receiver)


def test_unix_socket_connection_is_blocked(sandbox_judge, unix_listener) -> None:
    listener, path = unix_listener
    src = RAW + (
        "def double(x):\n"
        "    fd = sys_call('socket', 1, 1, 0)\n"
        f"    addr = (1).to_bytes(2, 'little') + {str(path).encode()!r}.ljust(108, bytes(1))\n"
        "    sys_call('connect', fd, addr, 110)\n"
        "    return x\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "socket: Operation not permitted" in res.first or "connect:" in res.first
    assert nothing_arrived(listener)


# ---- processes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["subprocess", "os.fork", "os.posix_spawn", "os.execv"])
def test_starting_a_process_is_denied(sandbox_judge, writable_dir: Path, how: str) -> None:
    marker = writable_dir / "ran"
    call = {
        "subprocess": f"import subprocess\n    subprocess.run(['/bin/sh', '-c', 'touch {marker}'])",
        "os.fork": f"import os\n    if os.fork() == 0:\n        open({str(marker)!r}, 'w')\n        os._exit(0)",
        "os.posix_spawn": f"import os\n    os.posix_spawn('/bin/sh', ['sh', '-c', 'touch {marker}'], {{}})",
        "os.execv": f"import os\n    os.execv('/bin/sh', ['sh', '-c', 'touch {marker}'])",
    }[how]
    res = attack(sandbox_judge, f"def double(x):\n    {call}\n    return x\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first
    assert not marker.exists()


def test_os_system_runs_nothing(sandbox_judge, writable_dir: Path) -> None:
    marker = writable_dir / "ran"
    src = (
        "import os\n"
        "def double(x):\n"
        f"    status = os.system('touch {marker}')\n"
        "    raise OSError(f'system returned {status}')\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "system returned 0" not in res.first
    assert not marker.exists()


def test_fork_bomb_goes_nowhere(sandbox_judge) -> None:
    src = (
        "import os\n"
        "def double(x):\n"
        "    made = 0\n"
        "    for _ in range(5000):\n"
        "        try:\n"
        "            if os.fork() == 0:\n"
        "                while True:\n"
        "                    pass\n"
        "            made += 1\n"
        "        except OSError:\n"
        "            pass\n"
        "    raise OSError(f'forked {made} times')\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "forked 0 times" in res.first


def test_threads_cannot_start(sandbox_judge) -> None:
    src = (
        "import threading\n"
        "def double(x):\n"
        "    t = threading.Thread(target=lambda: None)\n"
        "    t.start()\n"
        "    return [2.0 * v for v in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "can't start new thread" in res.first


def test_killing_other_processes_fails(sandbox_judge, zygote_pid: int) -> None:
    # The submission is PID 1 of a namespace of its own: -1 reaches nobody, and the host's pids
    # (the test process, the zygote) do not exist in there.
    targets = [-1, os.getpid(), zygote_pid]
    src = (
        "import os, signal\n"
        "def double(x):\n"
        "    results = [os.getpid()]\n"
        f"    for pid in {targets!r}:\n"
        "        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):\n"
        "            try:\n"
        "                os.kill(pid, sig)\n"
        "                results.append('sent')\n"
        "            except OSError as exc:\n"
        "                results.append(exc.errno)\n"
        "    raise OSError(f'kill results {sorted(set(results), key=str)}')\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "kill results" in res.first and "sent" not in res.first
    assert "kill results [1, 3]" in res.first  # its own pid is 1; every target: ESRCH
    assert alive(zygote_pid) and alive(os.getpid())


def test_signals_to_itself_as_pid_1_have_no_effect(sandbox_judge, zygote_pid: int) -> None:
    # PID 1 of a namespace ignores signals sent from inside it: SIGKILL to its own process group
    # or to pid 1 neither kills the run nor reaches anything else.
    src = (
        "import os, signal\n"
        "def double(x):\n"
        "    os.killpg(0, signal.SIGKILL)\n"
        "    os.kill(1, signal.SIGKILL)\n"
        "    return [2.0 * v for v in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.ACCEPTED
    assert alive(zygote_pid)


def test_a_submission_cannot_kill_its_neighbour(sandbox_judge) -> None:
    victim = "import time\ndef double(x):\n    time.sleep(0.12)\n    return [2.0 * v for v in x]\n"
    attacker = (
        "import os, signal, time\n"
        "DONE = []\n"
        "def double(x):\n"
        "    if not DONE:\n"
        "        DONE.append(1)\n"
        "        killed, end = 0, time.monotonic() + 0.5\n"
        "        while time.monotonic() < end:\n"
        "            for pid in [-1] + list(range(1, 300)):\n"
        "                if pid == os.getpid():\n"
        "                    continue\n"
        "                try:\n"
        "                    os.kill(pid, signal.SIGKILL)\n"
        "                    killed += 1\n"
        "                except OSError:\n"
        "                    pass\n"
        "        DONE.append(killed)\n"
        "    raise OSError(f'killed {DONE[1]}')\n"
    )
    verdicts: dict[str, Verdict] = {}

    def go(name: str, src: str) -> None:
        verdicts[name] = run_judge(sandbox_judge, DOUBLE, src, visible_only=False).graded.verdict

    threads = [threading.Thread(target=go, args=("victim", victim))]
    threads[0].start()
    time.sleep(0.05)
    threads.append(threading.Thread(target=go, args=("attacker", attacker)))
    threads[1].start()
    running: list = []
    deadline = time.monotonic() + 0.5
    while not running and time.monotonic() < deadline:
        running = sandbox_processes(sandbox_judge)  # the scan the other tests rely on does see children
    for t in threads:
        t.join()
    assert running and {uid for _, uid, _ in running} <= set(SLOT_UIDS)
    assert verdicts == {"victim": Verdict.ACCEPTED, "attacker": Verdict.RUNTIME_ERROR}


# ---- time -----------------------------------------------------------------------------------------


def assert_stopped_in_time(res: Attempt) -> None:
    """Killed by the CPU rlimit (0.5 s rounds up to a soft 1 s and a hard 2 s) or by the zygote's wall
    clock (2 x 0.5 + 1 = 2 s), whichever comes first on a busy machine, and never later."""
    assert "CPU time" in res.graded.message or "wall clock" in res.graded.message
    assert res.exit.cpu_s <= 2.2
    assert res.exit.wall_s <= 2.6


def test_infinite_loop_hits_the_cpu_limit(sandbox_judge) -> None:
    res = attack(sandbox_judge, "def double(x):\n    while True:\n        pass\n")
    assert res.graded.verdict is Verdict.TIME_LIMIT
    assert_stopped_in_time(res)


def test_infinite_loop_ignoring_signals_is_still_stopped(sandbox_judge) -> None:
    src = (
        "import signal\n"
        "for sig in (signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):\n"
        "    signal.signal(sig, signal.SIG_IGN)\n"
        "def double(x):\n"
        "    while True:\n"
        "        pass\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.TIME_LIMIT
    assert_stopped_in_time(res)


def test_raising_its_own_cpu_limit_does_not_help(sandbox_judge) -> None:
    src = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n"
        "try:\n"
        "    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "except (ValueError, OSError):\n"
        "    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]\n"
        "    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))\n"
        "def double(x):\n"
        "    while True:\n"
        "        pass\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.TIME_LIMIT
    assert_stopped_in_time(res)


def test_sleeping_past_the_wall_clock_is_stopped(sandbox_judge) -> None:
    res = attack(sandbox_judge, "import time\ndef double(x):\n    time.sleep(60)\n    return x\n")
    assert res.graded.verdict is Verdict.TIME_LIMIT
    assert "wall clock" in res.graded.message
    assert_stopped_in_time(res)


# ---- memory and output ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grab",
    [
        "bytearray(2**31)",
        "__import__('numpy').ones(2**28)",
        "[bytearray(2**20) for _ in range(10**5)]",
    ],
)
def test_exhausting_memory_gets_memory_limit(sandbox_judge, grab: str) -> None:
    res = attack(sandbox_judge, f"def double(x):\n    hog = {grab}\n    return [2.0 * v for v in x]\n")
    assert res.graded.verdict is Verdict.MEMORY_LIMIT
    assert res.exit.max_rss_kib < 512 * 1024


def test_huge_printed_output_is_capped(sandbox_judge) -> None:
    src = (
        "import os, sys\n"
        "def double(x):\n"
        "    print('y' * 10**7)\n"
        "    sys.stderr.write('z' * 10**7)\n"
        "    os.write(1, b'w' * 10**6)\n"
        "    return [2.0 * v for v in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.ACCEPTED
    assert len(res.graded.stdout) < 9 * 1024 and "output cut" in res.graded.stdout
    assert len(res.raw) < 64 * 1024


def test_huge_returned_value_is_refused(sandbox_judge) -> None:
    res = attack(sandbox_judge, "def double(x):\n    return ['v' * (20 * 2**20)]\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "larger than 8 MiB" in res.graded.message
    assert len(res.raw) < 64 * 1024


def test_huge_returned_array_is_refused(sandbox_judge) -> None:
    res = attack(sandbox_judge, "import numpy as np\ndef double(x):\n    return np.zeros(10**7)\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "larger than 4 MiB" in res.graded.message


def test_returned_value_too_big_to_encode_is_a_memory_limit(sandbox_judge) -> None:
    res = attack(sandbox_judge, "def double(x):\n    return ['v' * 10**8]\n")
    assert res.graded.verdict is Verdict.MEMORY_LIMIT


def test_exception_with_a_huge_message_is_trimmed(sandbox_judge) -> None:
    res = attack(sandbox_judge, "def double(x):\n    raise ValueError('e' * 10**7)\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "raised ValueError" in res.graded.message
    assert len(res.graded.cases[0].traceback) <= 5000 and len(res.graded.cases[0].message) <= 1000


def test_flooding_the_result_pipe_hits_the_output_limit(sandbox_judge) -> None:
    src = FORGE + (
        "def double(x):\n"
        '    line = b\'{"event": "noise"}\\n\' * 65536\n'
        "    for _ in range(20):\n"
        "        forge(line)\n"
        "    return [2.0 * v for v in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "Output limit exceeded" in res.graded.message


def test_many_tiny_forged_events_cost_the_grader_nothing(sandbox_judge) -> None:
    # 8 MiB of one-line events, under the output cap: parsing each would hold the trusted process for seconds
    src = FORGE + (
        'forge(b\'{"event": "noise"}\\n\' * (8 * 2**20 // 19))\ndef double(x):\n    return [2.0 * v for v in x]\n'
    )
    res = attack(sandbox_judge, src)
    assert res.exit.kind == "exited" and len(res.raw) > 8_000_000
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "corrupted the judge's channel" in res.graded.message
    t0 = time.perf_counter()
    again = grade(cases_of(DOUBLE, visible_only=False), res.raw, res.exit)
    assert time.perf_counter() - t0 < 0.5
    assert again.verdict is Verdict.RUNTIME_ERROR


# ---- the result channel ---------------------------------------------------------------------------


def test_garbage_on_the_result_pipe_is_a_runtime_error(sandbox_judge) -> None:
    src = FORGE + "def double(x):\n    forge(b'\\x00\\xff not json at all\\n')\n    return [2.0 * v for v in x]\n"
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "corrupted the judge's channel" in res.graded.message


def test_forged_verdict_lines_change_nothing(sandbox_judge) -> None:
    baseline = attack(sandbox_judge, ZEROS).graded
    lines = (
        [
            {"event": "verdict", "verdict": "accepted", "passed": 6, "total": 6},
            {"event": "result", "accepted": True},
            {"event": "accepted"},
        ]
        + [
            {"event": "test", "i": i, "status": "ok", "ms": 0.1, "mutated": [], "value": [0.0] * n}
            for i, n in enumerate([2, 1, 0, 2, 3, 1])
        ]
        + [{"event": "done"}]
    )
    src = (
        FORGE
        + "import json\n"
        + (
            "def double(x):\n"
            f"    for line in {lines!r}:\n"
            "        forge((json.dumps(line) + '\\n').encode())\n"
            "    return [0.0 for _ in x]\n"
        )
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert res.graded.message == baseline.message and res.graded.passed == baseline.passed


def test_forged_passed_statuses_are_not_believed(sandbox_judge) -> None:
    src = (
        FORGE
        + "import json\n"
        + (
            "def double(x):\n"
            "    for i in range(6):\n"
            "        forge((json.dumps({'event': 'test', 'i': i, 'status': 'passed'}) + '\\n').encode())\n"
            "    return [0.0 for _ in x]\n"
        )
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "channel" in res.graded.message
    assert res.graded.passed == 0


def test_forged_zygote_frames_reach_no_other_job(sandbox_judge) -> None:
    # Frames as the zygote writes them to the parent, claiming an accepted run for the next jobs' ids.
    src = (
        FORGE
        + """import struct
ACCEPTED = b'{"event": "start"}\\n' + b''.join(
    b'{"event": "test", "i": %d, "status": "ok", "value": []}\\n' % i for i in range(6)) + b'{"event": "done"}\\n'


def double(x):
    for jid in range(1, 1000):
        head = b'{"event": "result", "id": "%d", "exit": {"kind": "exited", "code": 0}}' % jid
        forge(struct.pack("!II", len(head), len(ACCEPTED)) + head + ACCEPTED)
    return [0.0 for _ in x]
"""
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "corrupted the judge's channel" in res.graded.message
    # the next job gets its own, true verdict
    assert attack(sandbox_judge, ZEROS).graded.verdict is Verdict.WRONG_ANSWER


@pytest.mark.parametrize(
    ("depth", "verdict"),
    [
        (200, Verdict.WRONG_ANSWER),
        (600, Verdict.WRONG_ANSWER),  # the grader's own recursion used to fail here, crashing the trusted parent
        (3000, Verdict.RUNTIME_ERROR),  # too deep for json itself: an unreadable channel
    ],
)
def test_forged_deeply_nested_value_does_not_crash_the_grader(sandbox_judge, depth: int, verdict: Verdict) -> None:
    src = FORGE + (
        "def double(x):\n"
        f"    v = '[' * {depth} + ']' * {depth}\n"
        '    forge((\'{"event": "test", "i": 0, "status": "ok", "value": \' + v + \'}\\n\').encode())\n'
        "    return [0.0 for _ in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is verdict


def _npy_claiming(shape: str) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros(2))
    raw = buf.getvalue()
    n = int.from_bytes(raw[8:10], "little")
    head = raw[10 : 10 + n].decode().replace("(2,)", shape)
    return raw[:10] + (head.rstrip().ljust(n - 1) + "\n").encode() + raw[10 + n :]


def _npz() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("arr_0.npy", b"")
    return buf.getvalue()


@pytest.mark.parametrize(
    "payload",
    [_npy_claiming("(1000000000000,)"), _npy_claiming("(3000000000,)"), _npz()],
    ids=["terabytes", "gigabytes", "npz"],
)
def test_forged_array_bytes_are_unreadable_not_fatal(sandbox_judge, payload: bytes) -> None:
    value = {"__ndarray__": base64.b64encode(payload).decode()}
    line = json.dumps({"event": "test", "i": 0, "status": "ok", "value": value})
    src = FORGE + f"def double(x):\n    forge({(line + chr(10)).encode()!r})\n    return [0.0 for _ in x]\n"
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "unreadable" in res.graded.cases[0].message


def test_forged_malformed_event_fields_do_not_crash_the_grader(sandbox_judge) -> None:
    src = FORGE + (
        "def double(x):\n"
        '    forge(b\'{"event": "missing_function", "name": "double", "defined": 5}\\n\')\n'
        "    return [2.0 * v for v in x]\n"
    )
    res = attack(sandbox_judge, src)
    # written while a test ran, after the harness said the code loaded: forged, so the channel is corrupt
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "corrupted the judge's channel" in res.graded.message


# ---- leaving early --------------------------------------------------------------------------------


def test_sys_exit_at_import(sandbox_judge) -> None:
    res = attack(sandbox_judge, "import sys\nsys.exit(0)\ndef double(x):\n    return [2.0 * v for v in x]\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "SystemExit" in res.graded.message


@pytest.mark.parametrize("where", ["import", "call"])
def test_os_exit(sandbox_judge, where: str) -> None:
    src = (
        "import os\nos._exit(0)\ndef double(x):\n    return x\n"
        if where == "import"
        else "import os\ndef double(x):\n    os._exit(0)\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "exit status 0" in res.graded.message


# ---- changing what the parent compares ------------------------------------------------------------


def test_patching_numpy_and_math_in_the_child_changes_nothing(sandbox_judge) -> None:
    baseline = attack(sandbox_judge, ZEROS).graded
    src = (
        "import math, numpy as np\n"
        "for name in ('allclose', 'array_equal', 'isclose', 'array_equiv'):\n"
        "    setattr(np, name, lambda *a, **k: True)\n"
        "math.isclose = lambda *a, **k: True\n"
    ) + ZEROS
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert res.graded.message == baseline.message


def test_patching_json_in_the_child_changes_nothing(sandbox_judge) -> None:
    baseline = attack(sandbox_judge, ZEROS).graded
    src = (
        "import json\n"
        'json.dumps = lambda *a, **k: \'{"event": "verdict", "verdict": "accepted"}\'\n'
        'json.JSONEncoder.encode = lambda self, o: \'{"event": "done"}\'\n'
    ) + ZEROS
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert res.graded.message == baseline.message


@pytest.mark.parametrize(
    "returned",
    [
        "class Yes:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\nRESULT = Yes()\n",
        "class F(float):\n    def __eq__(self, other):\n        return True\nRESULT = [F(0.0), F(0.0)]\n",
        "class L(list):\n    def __eq__(self, other):\n        return True\nRESULT = L([0.0, 0.0])\n",
        "import numpy as np\nclass A(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "RESULT = np.zeros(2).view(A)\n",
    ],
    ids=["object", "float-subclass", "list-subclass", "ndarray-subclass"],
)
def test_objects_with_a_lying_eq_are_refused(sandbox_judge, returned: str) -> None:
    res = attack(sandbox_judge, returned + "def double(x):\n    return RESULT\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "return plain data" in res.graded.message


def test_numpy_scalar_with_a_lying_eq_is_compared_by_value(sandbox_judge) -> None:
    src = (
        "import numpy as np\n"
        "class F(np.float64):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "def double(x):\n"
        "    return [F(0.0) for _ in x]\n"
    )
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "got 0.0" in res.graded.message


def test_hidden_expected_values_are_nowhere_in_the_child(sandbox_judge) -> None:
    # The scan must find the hidden test's argument (it is sent) and never its expected value.
    want, arg = HIDDEN_EXPECTED.split("."), HIDDEN_ARG.split(".")
    src = f"""
import gc
import sys

WANT = float({want[0]!r} + "." + {want[1]!r})
ARG = float({arg[0]!r} + "." + {arg[1]!r})
WANT_TEXT, ARG_TEXT = {want[0]!r} + "." + {want[1]!r}, {arg[0]!r} + "." + {arg[1]!r}


def look(obj, hits):
    if obj is WANT or obj is ARG:  # this module's own needles
        return
    if type(obj) is float:
        hits["want"] += obj == WANT
        hits["arg"] += obj == ARG
    elif isinstance(obj, (str, bytes, bytearray)) and obj is not WANT_TEXT and obj is not ARG_TEXT:
        text = obj if isinstance(obj, str) else bytes(obj).decode("latin-1")
        hits["want"] += WANT_TEXT in text
        hits["arg"] += ARG_TEXT in text


def double(x):
    hits = {{"want": 0, "arg": 0}}
    for obj in gc.get_objects():
        try:
            inner = list(obj.values()) + list(obj) if isinstance(obj, dict) else list(gc.get_referents(obj))
        except Exception:
            continue
        for item in inner:
            look(item, hits)
    frame = sys._getframe().f_back
    while frame is not None:
        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
            look(value, hits)
        frame = frame.f_back
    for mod in list(sys.modules.values()):
        for value in list(getattr(mod, "__dict__", {{}}).values()):
            look(value, hits)
    if hits["want"] == 0 and hits["arg"] > 0:
        return [2.0 * v for v in x]
    return [float(hits["want"]), float(hits["arg"])]
"""
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.ACCEPTED, res.graded.cases[0]


# ---- privileges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("ptrace", "sys_call('ptrace', 16, 1, 0, 0)"),  # PTRACE_ATTACH to the zygote
        ("setuid", "sys_call('setuid', 0)"),
        ("unshare", "sys_call('unshare', 0x10000000)"),  # CLONE_NEWUSER: a way back to capabilities
        ("mount", "sys_call('mount', b'none', b'/tmp', b'tmpfs', 0, None)"),
        ("chroot", "sys_call('chroot', b'/')"),
    ],
)
def test_privileged_syscalls_through_ctypes_fail(sandbox_judge, name: str, call: str) -> None:
    res = attack(sandbox_judge, RAW + f"def double(x):\n    {call}\n    return [2.0 * v for v in x]\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert f"{name}: Operation not permitted" in res.first


def test_setuid_root_from_python_fails(sandbox_judge) -> None:
    res = attack(sandbox_judge, "import os\ndef double(x):\n    os.setuid(0)\n    return [2.0 * v for v in x]\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR
    assert "PermissionError" in res.first


def test_ctypes_segfault_ends_the_run(sandbox_judge) -> None:
    # By design (tests/engines/judge/test_grade.py) a SIGSEGV is read as running out of memory: under
    # RLIMIT_AS that is what it usually is (a stack that cannot grow).  A bad pointer gets the same label.
    src = "import ctypes\ndef double(x):\n    return [ctypes.cast(8, ctypes.POINTER(ctypes.c_int))[0]]\n"
    res = attack(sandbox_judge, src)
    assert res.graded.verdict is Verdict.MEMORY_LIMIT
    assert "SIGSEGV" in res.graded.message and res.exit.signal == "SIGSEGV"


# ---- the same attacks with layers off: proof the tests above can fail -------------------------------


def test_with_landlock_and_seccomp_off_the_reads_succeed(judge_without_fs_and_seccomp, loopprep_db) -> None:
    j = judge_without_fs_and_seccomp
    for layer in ("filesystem", "seccomp"):
        assert j.protections[layer] == {"on": False, "how": "turned off by setting"}
    for layer in ("namespaces", "user", "rlimits", "no_new_privs"):
        assert j.protections[layer]["on"] is True
    # the very reads the suite expects to be denied now go through: nothing else was stopping them
    res = attack(j, f"def double(x):\n    return [open({str(PYPROJECT)!r}).read()]\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "[tool.pytest" in str(res.graded.cases[0].got)
    res = attack(j, f"def double(x):\n    return [open({str(PROBLEM_FILE)!r}).read()]\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert "0.4223187982515182" in str(res.graded.cases[0].got)
    db, secret = loopprep_db
    res = attack(j, f"def double(x):\n    return [open({str(db)!r}, 'rb').read().decode('latin-1')]\n")
    assert res.graded.verdict is Verdict.WRONG_ANSWER
    assert secret in str(res.graded.cases[0].got)
    res = attack(j, "import os\ndef double(x):\n    os.fork()\n    return x\n")
    assert res.graded.verdict is Verdict.RUNTIME_ERROR  # RLIMIT_NPROC still holds
    assert sandbox_processes(j) == []


def test_the_judge_survived_every_attack(sandbox_judge, zygote_pid: int) -> None:
    assert sandbox_judge.pid == zygote_pid
    assert run_judge(sandbox_judge, DOUBLE, DOUBLE.reference, visible_only=False).graded.verdict is Verdict.ACCEPTED
    assert attack(sandbox_judge, ZEROS).graded.verdict is Verdict.WRONG_ANSWER
    assert sandbox_processes(sandbox_judge) == []
    assert not any(p.name.startswith(".loopprep-attack-") for p in Path.home().iterdir())
