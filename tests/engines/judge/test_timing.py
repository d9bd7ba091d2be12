"""The side-by-side timing rule over recorded timings, with a fake clock: alternating runs keep the
verdict steady when the machine gets busier; the ratio of medians decides."""

from __future__ import annotations

import pytest

from loopprep.engines.judge.timing import SideBySide, alternate, require_rule


class FakeClock:
    """A machine whose load changes over time: each timed run costs its work times the load now."""

    def __init__(self, loads: list[float]):
        self.loads, self.calls = list(loads), 0

    def timer(self, work_ms: float):
        def run(*_):
            load = self.loads[min(self.calls, len(self.loads) - 1)]
            self.calls += 1
            return work_ms * load

        return run


def test_a_machine_that_gets_busier_does_not_flip_the_verdict() -> None:
    # the reference does 10 ms of work, the submission 150 ms: 15x, within a 20x requirement.
    # Load triples halfway: a cached reference time (10 ms, quiet) against a live one (450 ms) says 45x.
    clock = FakeClock([1, 1, 1, 1, 3, 3, 3, 3])
    t = alternate(clock.timer(10), clock.timer(150), rounds=4)
    assert t.reference_ms == [10, 10, 30, 30] and t.submission_ms == [150, 150, 450, 450]
    out = require_rule(t, require=20)
    assert out.verdict is None and out.ratio == pytest.approx(15)
    cached_vs_live = 450 / 10
    assert cached_vs_live > 20  # what the old note compared


def test_slower_than_required_is_too_slow() -> None:
    clock = FakeClock([1, 1, 2, 2, 1, 1])
    out = require_rule(alternate(clock.timer(1), clock.timer(25)), require=20)
    assert out.verdict == "too-slow" and out.ratio == pytest.approx(25)
    assert "25x slower" in out.message and "within 20x" in out.message


def test_the_median_ignores_one_outlier() -> None:
    t = SideBySide(reference_ms=[10, 10, 10], submission_ms=[100, 5000, 110])
    assert require_rule(t, require=20).verdict is None


def test_memory_and_time_on_the_larger_input_break_the_requirement() -> None:
    calls: list[str] = []

    def ref():
        calls.append("ref")
        return 5.0

    def mine(ref_median: float):
        calls.append(f"mine<{ref_median}>")
        return "memory"

    t = alternate(ref, mine)
    assert calls == ["ref", "mine<5.0>"]  # stops at the first failure
    assert require_rule(t, require=20).verdict == "memory-limit"
    t = alternate(lambda: 5.0, lambda _: "time")
    out = require_rule(t, require=20)
    assert out.verdict == "too-slow" and "ran out of time" in out.message


def test_no_reference_figure_is_no_verdict() -> None:
    out = require_rule(alternate(lambda: "memory", lambda _: 1.0), require=20)
    assert out.verdict == "unknown"
