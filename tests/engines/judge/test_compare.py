"""The comparison rule, case by case: numbers within a math.isclose tolerance (exact without one),
NaN and infinities, ints, bools, strings, None, sequences, dicts and numpy results with their shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loopprep.engines.judge.compare import Array, Mismatch, Tol, compare, numbers_agree

FAST = settings(max_examples=200, deadline=None)
NAN, INF = float("nan"), float("inf")
TIGHT = Tol(abs=1e-9, rel=1e-9)


def same(expected, got, tol: Tol | None = TIGHT) -> None:
    m = compare(expected, got, tol)
    assert m is None, m.describe()


def differ(expected, got, tol: Tol | None = TIGHT, *, path: str = "") -> Mismatch:
    m = compare(expected, got, tol)
    assert m is not None, f"{got!r} should not match {expected!r}"
    assert m.path == path
    return m


def arr(values, dtype: str = "float64", shape: tuple[int, ...] | None = None) -> Array:
    """An Array as the parent decodes it; the shape is that of ``values`` unless given."""
    if shape is None:
        shape, v = (), values
        while isinstance(v, list):
            shape += (len(v),)
            v = v[0] if v else None
    return Array(dtype, shape, values)


# ---- numbers and tolerance ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "got", "tol"),
    [
        (1.0, 1.0 + 1e-10, Tol(abs=1e-9)),
        (1.0, 1.25, Tol(abs=0.25)),  # the bound itself is inside, as in math.isclose
        (100.0, 101.0, Tol(rel=0.01)),
        (101.0, 100.0, Tol(rel=0.01)),  # rel scales with the larger of the two
        (0.0, 1e-12, Tol(abs=1e-9, rel=1e-9)),
        (1e6, 1e6 + 0.5, Tol(abs=1.0, rel=0.0)),
        (1e6, 1e6 + 0.5, Tol(abs=0.0, rel=1e-6)),
        (-2.0, -2.0, None),
        (0.0, -0.0, None),
        (3, 3.0000000001, Tol(abs=1e-6)),  # an int expected compares as a number when a tolerance is set
    ],
)
def test_numbers_within_tolerance(expected, got, tol) -> None:
    same(expected, got, tol)
    assert math.isclose(got, expected, rel_tol=tol.rel, abs_tol=tol.abs) if tol else got == expected


@pytest.mark.parametrize(
    ("expected", "got", "tol"),
    [
        (1.0, 1.0 + 2e-9, Tol(abs=1e-9)),
        (100.0, 102.0, Tol(rel=0.01)),
        (0.0, 1e-12, Tol(rel=1e-3)),  # rel alone never accepts anything near zero
        (1.0, 1.0 + 1e-15, None),  # no tolerance: exact
        (0.1 + 0.2, 0.3, None),
        (1.0, -1.0, Tol(abs=1.9)),
    ],
)
def test_numbers_outside_tolerance(expected, got, tol) -> None:
    m = differ(expected, got, tol)
    if tol is None:
        assert m.reason == "values differ (exact comparison)"
    else:
        assert m.reason == f"outside tolerance (abs {tol.abs:g}, rel {tol.rel:g})"
    assert m.expected == repr(expected) and m.got == repr(got)


@FAST
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(0, 1),
    st.floats(0, 1e3),
)
def test_tolerance_means_math_isclose(expected: float, got: float, rel: float, abs_: float) -> None:
    tol = Tol(abs=abs_, rel=rel)
    assert (compare(expected, got, tol) is None) == math.isclose(got, expected, rel_tol=rel, abs_tol=abs_)


@FAST
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.floats(0, 10),
)
def test_absolute_tolerance_is_symmetric(a: float, b: float, abs_: float) -> None:
    tol = Tol(abs=abs_, rel=0.0)
    assert (compare(a, b, tol) is None) == (compare(b, a, tol) is None)


@FAST
@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_exact_when_no_tolerance(a: float, b: float) -> None:
    assert (compare(a, b, None) is None) == (a == b)


def test_nan_matches_only_nan() -> None:
    same(NAN, NAN)
    same(NAN, NAN, None)
    same([1.0, NAN], [1.0, NAN], None)
    m = differ(1.0, NAN)
    assert m.reason == "NaN returned"
    differ(NAN, 1.0)
    differ(NAN, INF)
    differ(NAN, 0, None)
    differ(0.0, NAN, Tol(abs=math.inf))  # not even an infinite tolerance lets NaN through
    differ(NAN, "nan")
    differ(NAN, None)


def test_infinities_match_only_the_same_infinity() -> None:
    same(INF, INF)
    same(-INF, -INF, None)
    differ(INF, -INF)
    differ(INF, 1e308, Tol(rel=1.0, abs=1e308))
    m = differ(1e308, INF, Tol(rel=1.0))
    assert m.reason == "infinity returned"
    differ(-INF, NAN)


def test_ints_are_exact() -> None:
    same(3, 3, None)
    same(3, 3.0, None)  # a whole float equal to the int is the same number
    same(-7, -7.0)
    same(2**70, 2**70, None)
    differ(3, 4, None)
    differ(3, 3.5, None)
    differ(2**53 + 1, float(2**53), None)  # no rounding through float
    differ(3, INF, None)
    differ(3, NAN, None)
    differ(0, 1e-300, None)


def test_huge_ints_do_not_break_the_comparison() -> None:
    same(10**400, 10**400, TIGHT)
    differ(1.0, 10**400, TIGHT)
    differ(10**400, 1.0, TIGHT)
    differ(10**400, 10**400 + 1, None)


def test_bool_is_not_an_int() -> None:
    same(True, True)
    same(False, False, None)
    m = differ(1, True)
    assert m.reason == "a number is expected"
    differ(0.0, False)
    differ(True, 1)
    differ(False, 0.0)
    differ(True, "True")
    differ(False, None)
    differ(True, False)


def test_numbers_need_numbers() -> None:
    for got in ["1.0", None, [1.0], {"x": 1.0}]:
        m = differ(1.0, got)
        assert m.reason == "a number is expected"


def test_strings_are_exact() -> None:
    same("a", "a")
    same("", "")
    differ("a", "A")
    differ("a", "a ")
    differ("1", 1)
    differ("é", "e\u0301")  # no Unicode normalisation
    m = differ("cat", "dog")
    assert (m.expected, m.got, m.reason) == ("'cat'", "'dog'", "values differ")


def test_none_matches_only_none() -> None:
    same(None, None)
    differ(None, 0)
    differ(None, "")
    differ(None, [])
    differ(None, False)
    differ(0, None)
    differ([], None)


# ---- sequences ----------------------------------------------------------------------------------


def test_sequences_elementwise() -> None:
    same([], [])
    same([1.0, 2.0], [1.0 + 1e-12, 2.0])
    same([[1, 2], [3, 4]], [[1, 2], [3, 4]], None)
    same([1, "a", None, True, [2.5]], [1, "a", None, True, [2.5]])
    m = differ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.5]], path="[1][1]")
    assert m.expected == "4.0" and m.got == "4.5"


def test_first_difference_is_reported() -> None:
    m = differ([[0, 9], [8, 0]], [[0, 0], [0, 0]], None, path="[0][1]")
    assert m.expected == "9"


def test_length_mismatch() -> None:
    m = differ([1, 2, 3], [1, 2], path="")
    assert (m.reason, m.expected, m.got) == ("lengths differ", "length 3", "length 2")
    differ([], [0.0])
    m = differ([[1], [2, 3]], [[1], [2]], path="[1]")
    assert m.reason == "lengths differ"


def test_a_sequence_needs_a_sequence() -> None:
    for got in [1.0, "ab", None, {"0": 1}]:
        assert differ([1.0], got).reason == "a sequence is expected"
    assert differ([[1.0]], [1.0], path="[0]").reason == "a sequence is expected"


# ---- dicts ---------------------------------------------------------------------------------------


def test_dicts() -> None:
    same({}, {})
    same({"loss": 0.5, "acc": [1, 0]}, {"acc": [1, 0], "loss": 0.5 + 1e-12})
    m = differ({"loss": 0.5, "acc": 1.0}, {"loss": 0.75, "acc": 1.0}, path="['loss']")
    assert m.describe() == "at ['loss']: outside tolerance (abs 1e-09, rel 1e-09) (expected 0.5, got 0.75)"
    m = differ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}, None, path="['a']['b'][1]")
    assert differ({"a": 1.0}, [1.0]).reason == "a dict is expected"


def test_dict_keys_missing_or_extra() -> None:
    m = differ({"a": 1, "b": 2}, {"a": 1})
    assert m.reason == "keys differ"
    assert m.expected == "keys ['a', 'b']" and m.got == "keys ['a']"
    m = differ({"a": 1}, {"a": 1, "z": 2})
    assert m.expected == "keys ['a']" and m.got == "keys ['a', 'z']"
    m = differ({"x": {"a": 1}}, {"x": {"b": 1}}, path="['x']")
    assert m.reason == "keys differ"


def test_dict_key_reason_names_no_key() -> None:
    # a hidden case shows only the reason, and its keys may be hidden data (a token count, say)
    m = differ({"secret-token": 3}, {})
    assert "secret" not in m.reason


def test_unsupported_expected_values_never_match() -> None:
    assert differ((1, 2), [1, 2]).reason == "unsupported expected value"
    assert differ({1, 2}, {1, 2}).reason == "unsupported expected value"


# ---- numpy results -------------------------------------------------------------------------------


def test_arrays_compare_as_nested_lists() -> None:
    same([1.0, 2.0], arr([1.0, 2.0]))
    same([[1, 2], [3, 4]], arr([[1, 2], [3, 4]], "int64"), None)
    same([[0.5]], arr([[0.5 + 1e-12]]))
    m = differ([[1.0, 2.0], [3.0, 4.0]], arr([[1.0, 2.0], [3.0, 5.0]]), path="[1][1]")
    assert m.reason.startswith("outside tolerance")


def test_array_shape_must_match_the_expected_nesting() -> None:
    m = differ([[1.0], [2.0], [3.0]], arr([1.0, 2.0, 3.0]))
    assert (m.reason, m.expected, m.got) == ("array shape differs", "shape (3, 1)", "shape (3,)")
    m = differ([1.0, 2.0, 3.0], arr([[1.0], [2.0], [3.0]]))
    assert (m.expected, m.got) == ("shape (3,)", "shape (3, 1)")
    differ([[1.0, 2.0]], arr([[1.0], [2.0]]))
    differ([1.0, 2.0], arr([1.0, 2.0], shape=(2, 1)))  # the header's shape counts, not only the values


def test_a_plain_list_of_the_right_values_still_passes() -> None:
    same([[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]])


def test_empty_arrays() -> None:
    same([], arr([]))
    same([], arr([], shape=(0,)))
    same([], arr([], shape=(0, 4)))  # [] cannot spell (0, 4): any empty first axis passes
    same([[], []], arr([[], []], shape=(2, 0)))
    differ([[], []], arr([], shape=(0,)))
    differ([], arr([1.0]))
    m = differ([1.0], arr([], shape=(0,)))
    assert m.reason == "array shape differs"


def test_array_where_a_scalar_or_ragged_value_is_expected() -> None:
    m = differ(1.0, arr([1.0]))
    assert m.reason == "an array was returned where a non-array is expected"
    assert m.got == "array(shape=(1,), dtype=float64)"
    differ({"a": 1}, arr([1.0]))
    differ([[1.0], [2.0, 3.0]], arr([[1.0, 2.0], [2.0, 3.0]]))


def test_a_zero_dimensional_array_stands_for_its_scalar() -> None:
    same(2.5, arr(2.5, shape=()))
    same(3, arr(3, "int64", shape=()), None)
    same(True, arr(True, "bool", shape=()))
    differ(2.5, arr(2.0, shape=()))
    differ([2.5], arr(2.5, shape=()))


def test_array_dtype_does_not_turn_bools_into_numbers() -> None:
    same([True, False], arr([True, False], "bool"))
    assert differ([1, 0], arr([True, False], "bool"), path="[0]").reason == "a number is expected"
    differ([True, False], arr([1, 0], "int64"), path="[0]")


def test_int_expected_matches_a_float_array_exactly() -> None:
    same([1, 2], arr([1.0, 2.0]), None)
    differ([1, 2], arr([1.0, 2.000001]), None, path="[1]")


def test_arrays_nested_in_containers() -> None:
    same({"w": [[1.0, 0.0]], "b": [0.5]}, {"w": arr([[1.0, 0.0]]), "b": arr([0.5])})
    differ({"w": [[1.0, 0.0]]}, {"w": arr([1.0, 0.0])}, path="['w']")
    same([[1.0, 2.0], 3], [arr([1.0, 2.0]), 3])
    differ([[1.0, 2.0], 3], [arr([1.0, 2.5]), 3], path="[0][1]")


# ---- describe ------------------------------------------------------------------------------------


def test_describe() -> None:
    assert Mismatch("", "1", "2", "values differ").describe() == "values differ (expected 1, got 2)"
    text = Mismatch("[1][0]", "1.0", "nan", "NaN returned").describe()
    assert text == "at [1][0]: NaN returned (expected 1.0, got nan)"
    m = differ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [NAN, 4.0]], path="[1][0]")
    assert m.describe() == "at [1][0]: NaN returned (expected 3.0, got nan)"
    m = differ([1, 2], [1, 2, 3])
    assert m.describe() == "lengths differ (expected length 2, got length 3)"


def test_long_values_are_shortened() -> None:
    m = differ("x" * 500, "y" * 500)
    assert len(m.expected) <= 80 and len(m.got) <= 80
    assert m.expected.endswith("…")


# ---- properties ---------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4)),
    max_leaves=20,
)
_tols = st.one_of(st.none(), st.builds(Tol, abs=st.floats(0, 1), rel=st.floats(0, 1)))


@FAST
@given(_values, _tols)
def test_every_plain_value_matches_itself(value, tol) -> None:
    assert compare(value, value, tol) is None


@FAST
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6), min_size=1, max_size=6),
    st.data(),
)
def test_one_changed_element_is_found_at_its_index(values: list[float], data) -> None:
    i = data.draw(st.integers(0, len(values) - 1))
    changed = list(values)
    changed[i] = values[i] + 1.0
    assume(changed[i] != values[i])
    m = compare(values, changed, Tol(abs=1e-3))
    assert m is not None and m.path == f"[{i}]"
    assert compare(values, arr(changed), Tol(abs=1e-3)).path == f"[{i}]"


def test_numbers_agree_directly() -> None:
    assert numbers_agree(1.0, 1.0 + 1e-10, Tol(abs=1e-9))
    assert not numbers_agree(1.0, 1.1, None)
    assert numbers_agree(NAN, NAN, None)
    assert not numbers_agree(INF, -INF, Tol(abs=math.inf))
