"""The judge's lifecycle as its callers see it: start, protections report, restart after the zygote
dies, concurrent submissions kept apart, a judge that cannot start saying why."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge, JudgeBusy, JudgeUnavailable
from loopprep.judge.runner import judge as run

ADD = Problem.model_validate(
    {
        "id": "add-k",
        "title": "Add k",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["faang"],
        "statement": "Return the list with k added to every element, as a list of floats.",
        "function": "add",
        "signature": "def add(x: list[float], k: float) -> list[float]",
        "returns": "list[float]",
        "params": {"x": "list[float]", "k": "float"},
        "starter": "def add(x, k):\n    raise NotImplementedError\n",
        "reference": "def add(x, k):\n    return [v + k for v in x]\n",
        "mutants": [
            {"bug": "ignores k", "source": "def add(x, k):\n    return list(x)\n"},
            {"bug": "drops the last", "source": "def add(x, k):\n    return [v + k for v in x[:-1]]\n"},
        ],
        "tests": [{"args": [[1.0], 1.0], "expected": [2.0], "visible": True, "note": "one"}]
        + [{"args": [[float(i)] * i, 0.5], "expected": [i + 0.5] * i, "note": f"length {i}"} for i in range(5)],
    }
)


@pytest.fixture(scope="module")
def j():
    with Judge() as judge:
        yield judge


def _with_k(k: float) -> str:
    return f"def add(x, k):\n    return [v + {k} for v in x]\n"


def test_every_layer_is_reported_with_how(j: Judge) -> None:
    assert set(j.protections) >= {"namespaces", "user", "filesystem", "seccomp", "rlimits", "no_new_privs"}
    for layer in j.protections.values():
        assert isinstance(layer["on"], bool) and layer["how"]
    if os.geteuid() == 0:  # this machine (and CI) runs as root: everything must be on
        assert all(v["on"] for v in j.protections.values()), j.protections


def test_layers_turned_off_are_reported_off() -> None:
    with Judge(protections_off=("filesystem", "seccomp", "user", "namespaces")) as judge:
        for name in ("filesystem", "seccomp", "user", "namespaces"):
            assert judge.protections[name] == {"on": False, "how": "turned off by setting"}
        # the judge still judges without them
        assert run(judge, ADD, ADD.reference, visible_only=False).graded.verdict is Verdict.ACCEPTED


def test_the_zygote_restarts_after_it_dies(j: Judge) -> None:
    first = j.pid
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{first}").exists():
        try:
            os.waitpid(first, os.WNOHANG)
        except ChildProcessError:
            break
        time.sleep(0.01)
    res = run(j, ADD, ADD.reference, visible_only=False)
    assert res.graded.verdict is Verdict.ACCEPTED
    assert j.pid != first


def test_concurrent_submissions_get_their_own_verdicts(j: Judge) -> None:
    results: dict[int, Verdict] = {}

    def go(n: int) -> None:
        src = ADD.reference if n % 2 == 0 else _with_k(1)  # odd ones add the wrong amount
        results[n] = run(j, ADD, src, visible_only=False).graded.verdict

    threads = [threading.Thread(target=go, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: Verdict.ACCEPTED if n % 2 == 0 else Verdict.WRONG_ANSWER for n in range(12)}


def test_a_judge_that_cannot_start_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "numpy"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('numpy is broken on this machine')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    judge = Judge()
    with pytest.raises(JudgeUnavailable) as info:
        judge.start()
    assert "did not start" in info.value.message
    assert "numpy is broken on this machine" in info.value.message
    assert info.value.hint


def test_a_closed_judge_starts_again_on_demand() -> None:
    judge = Judge()
    judge.start()
    judge.close()
    assert run(judge, ADD, ADD.reference, visible_only=False).graded.verdict is Verdict.ACCEPTED
    judge.close()


LOOP = "def add(x, k):\n    while True:\n        pass\n"


def _wait_for(cond, timeout: float = 30.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.01)


def test_a_queued_job_gets_its_whole_time_limit_from_when_it_starts() -> None:
    # Eight infinite loops ahead of it on one sandbox: a correct solution waits ~16 s, longer than
    # its own wall limit plus grace (15 s).  It used to come back as "did not answer in time".
    with Judge(parallel=1, max_waiting=16) as j:
        verdicts: list[Verdict] = []
        loops = [
            threading.Thread(target=lambda: verdicts.append(run(j, ADD, LOOP, visible_only=False).graded.verdict))
            for _ in range(8)
        ]
        for t in loops:
            t.start()
        _wait_for(lambda: j._waiting == 7)  # one loop runs, seven wait
        ok = run(j, ADD, ADD.reference, visible_only=False)
        for t in loops:
            t.join()
    assert ok.graded.verdict is Verdict.ACCEPTED, ok.graded.message
    assert verdicts.count(Verdict.TIME_LIMIT) == 8


def test_too_many_waiting_jobs_are_told_busy_not_judged() -> None:
    with Judge(parallel=1, max_waiting=2) as j:
        threads = [threading.Thread(target=run, args=(j, ADD, LOOP), kwargs={"visible_only": False}) for _ in range(3)]
        for t in threads:
            t.start()
        _wait_for(lambda: j._waiting == 2)
        start = time.monotonic()
        with pytest.raises(JudgeBusy) as busy:
            run(j, ADD, ADD.reference, visible_only=False)
        assert time.monotonic() - start < 1.0  # refused at once, not after a wait
        assert "busy" in busy.value.message and busy.value.status_code == 503
        for t in threads:
            t.join()
        assert run(j, ADD, ADD.reference, visible_only=False).graded.verdict is Verdict.ACCEPTED  # free again
