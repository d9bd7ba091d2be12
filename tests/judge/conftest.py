"""Fixtures for the judge's attack suite: a judge that keeps each run's raw output, world-readable and
world-writable directories (so only the sandbox, not Unix permissions, stands in an attack's way),
and listeners an attack may try to reach."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopprep.judge.client import Judge, RunOutput


class RecordingJudge(Judge):
    """A real judge that also keeps the last run's raw output, so a test can look for leaks in the bytes
    the sandbox sent, not only in the graded result."""

    last: RunOutput | None = None

    def run(self, job: dict, **limits) -> RunOutput:
        out = super().run(job, **limits)
        self.last = out
        return out


@pytest.fixture(scope="module")
def sandbox_judge() -> Iterator[RecordingJudge]:
    with RecordingJudge() as judge:
        yield judge


@pytest.fixture(scope="module")
def judge_without_fs_and_seccomp() -> Iterator[RecordingJudge]:
    """Landlock and seccomp off, everything else on: what an attack gets when those two are missing."""
    with RecordingJudge(protections_off=("filesystem", "seccomp")) as judge:
        yield judge


@pytest.fixture(scope="module")
def judge_as_root() -> Iterator[RecordingJudge]:
    """Every layer but the uid drop: the child keeps root's file permissions, so whatever stops it
    reading a file is Landlock alone."""
    with RecordingJudge(protections_off=("user",)) as judge:
        yield judge


def _world_dir(mode: int) -> Iterator[Path]:
    # Directly under /tmp: pytest's tmp_path sits below a 0700 directory, which would stop the sandboxed
    # uid by itself and make a passing test prove nothing about the sandbox.
    path = Path(tempfile.mkdtemp(prefix="loopprep-attack-", dir="/tmp"))
    path.chmod(mode)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def readable_dir() -> Iterator[Path]:
    """A directory anyone may read (0755)."""
    yield from _world_dir(0o755)


@pytest.fixture
def writable_dir() -> Iterator[Path]:
    """A directory anyone may write (0777)."""
    yield from _world_dir(0o777)


@pytest.fixture
def home_secret() -> Iterator[tuple[Path, str]]:
    """A file in the user's home holding a secret."""
    secret = "home-secret-" + os.urandom(6).hex()
    path = Path.home() / f".loopprep-attack-{os.getpid()}-{secret[-6:]}"
    path.write_text(f"token = {secret}\n")
    path.chmod(0o644)
    try:
        yield path, secret
    finally:
        path.unlink(missing_ok=True)


@pytest.fixture
def tcp_listener() -> Iterator[socket.socket]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    s.setblocking(False)
    yield s
    s.close()


@pytest.fixture
def udp_receiver() -> Iterator[socket.socket]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    yield s
    s.close()


@pytest.fixture
def unix_listener(writable_dir: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = writable_dir / "judge-attack.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    path.chmod(0o777)
    s.listen(16)
    s.setblocking(False)
    yield s, path
    s.close()
