"""Exact where the declared return type is exact: ints, bools, labels and indices (int or bool
dtypes, ``int`` in the type grammar) are compared exactly whatever the tolerance; floats use it."""

from __future__ import annotations

import pytest

from loopprep.engines.judge.compare import Array, Tol, compare, is_exact
from loopprep.engines.judge.types import parse

LOOSE = Tol(abs=1e-6, rel=1e-6)


@pytest.mark.parametrize(
    ("returns", "expected", "got"),
    [
        ("int", 10_000_000, 10_000_005),
        ("int", 10_000_000, 10_000_005.0),
        ("ndarray[int64]", [10_000_000, 3], Array("int64", (2,), [10_000_005, 3])),
        ("ndarray[int32]", [[1, 2], [3, 40_000_000]], Array("int32", (2, 2), [[1, 2], [3, 40_000_001]])),
        ("list[int]", [1, 2, 10_000_000], [1, 2, 10_000_001]),
        ("tuple[float, int]", [0.5, 10_000_000], [0.5, 10_000_003]),
        ("dict[str, int]", {"label": 10_000_000}, {"label": 10_000_004}),
        ("int | None", 10_000_000, 10_000_002),
    ],
)
def test_an_integer_type_is_compared_exactly_whatever_the_tolerance(returns: str, expected, got) -> None:
    # the case: within rel 1e-6 of each other, so the untyped rule let them pass
    assert compare(expected, got, LOOSE) is None
    m = compare(expected, got, LOOSE, spec=parse(returns))
    assert m is not None
    assert m.reason == "values differ (exact comparison)"


@pytest.mark.parametrize(
    ("returns", "expected", "got"),
    [
        ("float", 10_000_000.0, 10_000_005.0),
        ("ndarray[float64]", [10_000_000.0], Array("float64", (1,), [10_000_005.0])),
        ("tuple[float, int]", [10_000_000.0, 7], [10_000_005.0, 7]),
        ("list[float]", [1, 2], [1.0000000001, 2.0]),  # floats written as whole numbers in YAML
        ("any", 10_000_000, 10_000_005),
    ],
)
def test_a_float_type_keeps_the_tolerance(returns: str, expected, got) -> None:
    assert compare(expected, got, LOOSE, spec=parse(returns)) is None


def test_an_int_result_may_come_back_as_a_whole_float() -> None:
    assert compare(3, 3.0, LOOSE, spec=parse("int")) is None
    assert compare([1, 2], Array("float64", (2,), [1.0, 2.0]), LOOSE, spec=parse("ndarray[int64]")) is None


def test_bools_and_bool_arrays_are_exact() -> None:
    assert compare([True, False], Array("bool", (2,), [True, True]), LOOSE, spec=parse("ndarray[bool]")) is not None
    assert is_exact(parse("ndarray[bool]"))
    assert is_exact(parse("list[tuple[int, int]]"))
    assert not is_exact(parse("tuple[float, int]"))
    assert not is_exact(parse("ndarray[float32]"))
