"""`loopprep code watch`: the real command in a subprocess, a real judge, real saves and a real Ctrl+C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from loopprep.content.loader import load_bank

SOFTMAX = load_bank().coding.problems["stable-softmax"]
VISIBLE = sum(t.visible for t in SOFTMAX.tests)
WRONG = "def softmax(x, axis=-1):\n    return x\n"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env.update(LOOPPREP_DATA_DIR=str(tmp_path / "data"), COLUMNS="200", PYTHONUNBUFFERED="1")
    return env


def _descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``, with its command line (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        p = todo.pop()
        try:
            found[p] = (Path("/proc") / str(p) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        todo += children.get(p, [])
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Watch:
    """The command's output, line by line, as it comes."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"no line with {text!r} within {timeout} s; output so far:\n{''.join(self.seen)}")


def test_watch_rejudges_each_save_survives_a_deletion_and_stops_cleanly(tmp_path: Path) -> None:
    solution = tmp_path / "softmax.py"
    solution.write_text(WRONG)
    proc = subprocess.Popen(
        [sys.executable, "-m", "loopprep", "code", "watch", "stable-softmax", str(solution)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        w = Watch(proc)
        w.wait_for("Watching")
        assert "judged in" in w.wait_for(f"Wrong answer · Examples: 0/{VISIBLE} passed")

        solution.write_text(SOFTMAX.reference)  # the first save: now right
        line = w.wait_for(f"Accepted · Examples: {VISIBLE}/{VISIBLE} passed")
        assert "judged in" in line and " ms" in line

        solution.write_text(WRONG)  # the second save: wrong again
        w.wait_for(f"Wrong answer · Examples: 0/{VISIBLE} passed")

        solution.unlink()
        w.wait_for("was deleted")
        solution.write_text(SOFTMAX.reference)  # re-created: judged again
        w.wait_for(f"Accepted · Examples: {VISIBLE}/{VISIBLE} passed")

        temp = tmp_path / ".softmax.py.swp"  # how many editors save: a new file renamed over the old
        temp.write_text(WRONG)
        os.replace(temp, solution)
        w.wait_for(f"Wrong answer · Examples: 0/{VISIBLE} passed")

        below = _descendants(proc.pid)
        assert any("loopprep.judge.zygote" in cmd for cmd in below.values()), below  # one judge, kept warm
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        w.wait_for("Stopped watching.", timeout=5)
        assert "Traceback" not in "".join(w.seen)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in below) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [cmd for p, cmd in below.items() if _alive(p)], "a process outlived `code watch`"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    ("problem", "make_file", "message"),
    [
        ("stable-softmax", False, "There is no file at"),
        ("no-such-problem", True, "There is no coding problem 'no-such-problem'"),
    ],
    ids=["missing-file", "unknown-problem"],
)
def test_watch_refuses_a_missing_file_or_an_unknown_problem(
    tmp_path: Path, problem: str, make_file: bool, message: str
) -> None:
    solution = tmp_path / "softmax.py"
    if make_file:
        solution.write_text(SOFTMAX.reference)
    res = subprocess.run(
        [sys.executable, "-m", "loopprep", "code", "watch", problem, str(solution)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 1
    assert message in res.stderr and "Traceback" not in res.stderr
    assert "Watching" not in res.stdout
