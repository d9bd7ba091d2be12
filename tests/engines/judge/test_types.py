"""The parameter type grammar: parsing, printing back, error messages, and which YAML values each
type admits (the problem loader refuses a test whose arguments could not be converted)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopprep.engines.judge.types import DTYPES, SCALARS, TypeSpec, TypeSyntaxError, check, parse

FAST = settings(max_examples=150, deadline=None)


# ---- parsing and printing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "int",
        "float",
        "bool",
        "str",
        "any",
        "ndarray[float64]",
        "ndarray[float32]",
        "ndarray[int64]",
        "ndarray[int32]",
        "ndarray[bool]",
        "list[int]",
        "list[list[float]]",
        "tuple[int, ...]",
        "tuple[int]",
        "tuple[int, str, ndarray[float64]]",
        "dict[str, float]",
        "dict[str, list[int]]",
        "int | None",
        "list[int | None]",
        "tuple[float | None, ...]",
        "dict[str, ndarray[int64] | None]",
        "list[ndarray[float64]] | None",
    ],
)
def test_canonical_text_round_trips(text: str) -> None:
    spec = parse(text)
    assert str(spec) == text
    assert parse(str(spec)) == spec


def test_spacing_does_not_matter() -> None:
    assert parse(" list[ ndarray[ float64 ] ]  ") == parse("list[ndarray[float64]]")
    assert parse("dict[str,int|None]") == parse("dict[str, int | None]")
    assert parse("tuple[int,...]") == TypeSpec("tuple", items=(TypeSpec("int"),), variadic=True)


def test_parse_builds_the_expected_tree() -> None:
    spec = parse("tuple[ndarray[float64], dict[str, int] | None]")
    assert spec == TypeSpec(
        "tuple",
        items=(
            TypeSpec("ndarray", dtype="float64"),
            TypeSpec("optional", items=(TypeSpec("dict", items=(TypeSpec("int"),)),)),
        ),
    )
    assert not spec.variadic


def test_wire_form_is_plain_json() -> None:
    assert parse("int").wire() == {"t": "int"}
    assert parse("ndarray[int32]").wire() == {"t": "ndarray", "dtype": "int32"}
    assert parse("tuple[float, ...]").wire() == {"t": "tuple", "of": [{"t": "float"}], "variadic": True}
    assert parse("dict[str, bool] | None").wire() == {
        "t": "optional",
        "of": [{"t": "dict", "of": [{"t": "bool"}]}],
    }


def _specs() -> st.SearchStrategy[TypeSpec]:
    leaves = st.one_of(
        st.sampled_from(SCALARS).map(TypeSpec),
        st.sampled_from(DTYPES).map(lambda d: TypeSpec("ndarray", dtype=d)),
    )

    def extend(inner: st.SearchStrategy[TypeSpec]) -> st.SearchStrategy[TypeSpec]:
        not_optional = inner.filter(lambda s: s.kind != "optional")
        return st.one_of(
            inner.map(lambda s: TypeSpec("list", items=(s,))),
            inner.map(lambda s: TypeSpec("dict", items=(s,))),
            inner.map(lambda s: TypeSpec("tuple", items=(s,), variadic=True)),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: TypeSpec("tuple", items=tuple(xs))),
            # ``T | None | None`` is not in the grammar, so an optional never wraps an optional
            not_optional.map(lambda s: TypeSpec("optional", items=(s,))),
        )

    return st.recursive(leaves, extend, max_leaves=8)


@FAST
@given(_specs())
def test_any_spec_prints_to_text_that_parses_back_to_it(spec: TypeSpec) -> None:
    assert parse(str(spec)) == spec


# ---- errors name the problem -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["empty type"]),
        ("   ", ["empty type"]),
        ("integer", ["unknown type 'integer'"]),
        ("None", ["unknown type 'None'"]),
        ("Int", ["unknown type 'Int'"]),
        ("int$", ["unexpected character '$'", "position 3"]),
        ("list[int", ["expected ']'", "end of text"]),
        ("list int", ["expected '['", "'int'"]),
        ("ndarray", ["expected '['", "end of text"]),
        ("ndarray[float16]", ["ndarray needs a dtype", "float64"]),
        ("ndarray[]", ["ndarray needs a dtype"]),
        ("list[int, str]", ["list takes one item type"]),
        ("dict[str, int, float]", ["dict takes one item type"]),
        ("dict[int, str]", ["expected 'str'", "'int'"]),
        ("dict[str]", ["expected ','", "']'"]),
        ("tuple[int, str, ...]", ["tuple[T, ...] takes one item type"]),
        ("tuple[...]", ["unknown type '...'"]),
        ("int | str", ["only 'T | None' unions"]),
        ("int |", ["only 'T | None' unions"]),
        ("int | None | None", ["unexpected '|'"]),
        ("int int", ["unexpected 'int'"]),
        ("list[int]]", ["unexpected ']'"]),
        ("list[]", ["unknown type ']'"]),
    ],
)
def test_syntax_errors_say_what_is_wrong(text: str, words: list[str]) -> None:
    with pytest.raises(TypeSyntaxError) as info:
        parse(text)
    message = str(info.value)
    for w in words:
        assert w in message
    if text.strip():
        assert repr(text) in message or repr(text.strip()) in message or "position" in message


def test_syntax_error_is_a_value_error() -> None:
    # pydantic turns a ValueError raised in a validator into a field error; that relies on this
    assert issubclass(TypeSyntaxError, ValueError)


# ---- check: which YAML values each type admits -------------------------------------------------


def ok(text: str, value: object) -> None:
    why = check(parse(text), value)
    assert why is None, why


def refused(text: str, value: object, *words: str) -> str:
    why = check(parse(text), value)
    assert why is not None, f"{value!r} should not fit {text}"
    for w in words:
        assert w in why, why
    return why


def test_scalars() -> None:
    ok("int", 3)
    ok("int", -(2**80))
    ok("float", 2.5)
    ok("float", 2)  # an int is a number
    ok("float", float("nan"))
    ok("float", float("-inf"))
    ok("str", "")
    ok("bool", False)
    ok("any", {"x": [1, None]})
    ok("any", None)


def test_bools_are_not_numbers_and_numbers_are_not_bools() -> None:
    refused("int", True, "expected an int", "True")
    refused("float", False, "expected a number")
    refused("bool", 1, "expected true or false")
    refused("bool", 0.0, "expected true or false")
    refused("ndarray[float64]", [1.0, True], "True")
    refused("ndarray[int64]", [[1, 2], [False, 3]], "False")
    refused("ndarray[bool]", [True, 1], "true/false", "1")


def test_scalar_type_mismatches() -> None:
    refused("int", 1.5, "expected an int")
    refused("int", 2.0, "expected an int")  # a float, even a whole one, is not an int argument
    refused("int", "3", "expected an int")
    refused("float", "1.0", "expected a number")
    refused("float", None, "expected a number")
    refused("str", 5, "expected a string")


def test_huge_ints_are_refused_where_they_cannot_be_converted() -> None:
    refused("float", 10**400, "too large")
    refused("ndarray[float64]", [1, 10**400], "out of range")
    ok("ndarray[int32]", [2**31 - 1, -(2**31)])
    refused("ndarray[int32]", [2**31], "out of range", "int32")
    refused("ndarray[int32]", [-(2**31) - 1], "out of range")
    ok("ndarray[int64]", [2**63 - 1, -(2**63)])
    refused("ndarray[int64]", [[0], [2**63]], "out of range", "int64")
    refused("ndarray[int64]", [1e19], "out of range")


def test_ndarray_shapes() -> None:
    ok("ndarray[float64]", [])
    ok("ndarray[float64]", [[], []])
    ok("ndarray[float64]", 3.0)  # a 0-d array
    ok("ndarray[float64]", [[1, 2.5], [3, 4]])
    ok("ndarray[float64]", [[[1.0]], [[2.0]]])
    ok("ndarray[float32]", [float("nan"), float("inf")])


@pytest.mark.parametrize(
    "ragged",
    [
        [[1.0, 2.0], [3.0]],
        [[1.0, 2.0], 3.0],
        [1.0, [2.0]],
        [[], [1.0]],
        [[[1.0], [2.0]], [[1.0, 2.0], [3.0, 4.0]]],
    ],
)
def test_ragged_nested_lists_are_not_arrays(ragged: list) -> None:
    refused("ndarray[float64]", ragged, "rectangular")


def test_ragged_lists_are_fine_for_list_types() -> None:
    ok("list[list[float]]", [[1.0, 2.0], [3.0]])
    ok("list[ndarray[float64]]", [[1.0, 2.0], [3.0]])


def test_ndarray_entries() -> None:
    refused("ndarray[float64]", ["a"], "expected numbers", "'a'")
    refused("ndarray[float64]", [None], "expected numbers")
    refused("ndarray[float64]", [{"a": 1}], "expected numbers")
    refused("ndarray[float64]", "abc", "expected numbers")


def test_int_dtypes_take_whole_numbers_only() -> None:
    ok("ndarray[int64]", [1, 2, 3])
    ok("ndarray[int32]", [1.0, -2.0])  # whole floats convert without loss
    refused("ndarray[int64]", [1, 2.5], "whole numbers", "int64", "2.5")
    refused("ndarray[int32]", [[1], [0.1]], "whole numbers", "int32")
    refused("ndarray[int64]", [float("nan")], "whole numbers")
    refused("ndarray[int64]", [float("inf")], "whole numbers")
    ok("ndarray[float64]", [1, 2.5])


def test_lists_and_tuples() -> None:
    ok("list[int]", [])
    ok("list[int]", [1, 2])
    why = refused("list[int]", [1, 2.5], "item 1", "expected an int")
    assert why.startswith("item 1:")
    refused("list[int]", (1, 2), "expected a list")  # YAML never gives tuples
    refused("list[int]", 3, "expected a list")
    ok("tuple[int, str]", [1, "a"])
    refused("tuple[int, str]", [1], "expected 2 items", "got 1")
    refused("tuple[int, str]", [1, "a", 3], "expected 2 items", "got 3")
    refused("tuple[int, str]", ["a", 1], "item 0", "expected an int")
    ok("tuple[float, ...]", [])
    ok("tuple[float, ...]", [1, 2.5, 3])
    refused("tuple[float, ...]", [1, "x"], "item 1")
    refused("list[list[int]]", [[1], [2, "x"]], "item 1: item 1: expected an int")


def test_dicts() -> None:
    ok("dict[str, float]", {})
    ok("dict[str, float]", {"a": 1, "b": 2.5})
    refused("dict[str, float]", {"a": "x"}, "key 'a'", "expected a number")
    refused("dict[str, float]", {1: 2.0}, "keys must be strings")
    refused("dict[str, float]", [["a", 1.0]], "expected a mapping")


def test_optional() -> None:
    ok("int | None", None)
    ok("int | None", 4)
    refused("int | None", "4", "expected an int")
    ok("list[float | None]", [1.0, None, 2])
    refused("list[float]", [1.0, None], "item 1")
    refused("ndarray[float64]", None, "expected numbers")
    ok("ndarray[float64] | None", None)


@FAST
@given(st.lists(st.lists(st.floats(allow_nan=True), min_size=3, max_size=3), max_size=5))
def test_any_rectangular_float_matrix_fits_float_arrays(rows: list[list[float]]) -> None:
    assert check(parse("ndarray[float64]"), rows) is None
    assert check(parse("list[list[float]]"), rows) is None


@FAST
@given(st.lists(st.lists(st.integers(-5, 5), min_size=1, max_size=4), min_size=2, max_size=5))
def test_a_matrix_fits_an_array_exactly_when_its_rows_have_equal_length(rows: list[list[int]]) -> None:
    rectangular = len({len(r) for r in rows}) == 1
    assert (check(parse("ndarray[int64]"), rows) is None) == rectangular
