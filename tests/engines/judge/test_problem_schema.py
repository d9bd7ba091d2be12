"""The problem schema: a minimal valid problem loads, and each rule refuses a broken one with a
message that says which field is wrong."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from loopprep.engines.judge.problem import Problem, Tolerance

REFERENCE = """\
def clip_sum(xs, cap=10):
    if not xs:
        raise ValueError("empty")
    return min(sum(xs), cap)
"""


def minimal() -> dict[str, Any]:
    hidden = [
        {"args": [[1, 2, 3]], "expected": 6, "note": "three items"},
        {"args": [[5]], "expected": 5, "note": "edge case: one element"},
        {"args": [[9, 9]], "kwargs": {"cap": 4}, "expected": 4, "note": "capped"},
        {"args": [[]], "expected": {"raises": "ValueError"}, "note": "edge case: empty input"},
        {"args": [[-3, 1]], "expected": -2, "note": "negative numbers"},
    ]
    return {
        "id": "clip-sum",
        "title": "Capped sum",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["startup"],
        "statement": "Return the sum of `xs`, but never more than `cap`. An empty list raises ValueError.",
        "function": "clip_sum",
        "signature": "def clip_sum(xs: list[int], cap: int = 10) -> int",
        "returns": "int",
        "params": {"xs": "list[int]", "cap": "int"},
        "starter": "def clip_sum(xs, cap=10):\n    raise NotImplementedError\n",
        "reference": REFERENCE,
        "mutants": [
            {"bug": "ignores the cap", "source": REFERENCE.replace("min(sum(xs), cap)", "sum(xs)")},
            {"bug": "accepts an empty list", "source": REFERENCE.replace('raise ValueError("empty")', "return 0")},
        ],
        "tests": [{"args": [[1, 1]], "kwargs": {}, "expected": 2, "visible": True, "note": "two ones"}, *hidden],
    }


def refused(data: dict[str, Any], *words: str) -> str:
    with pytest.raises(ValidationError) as info:
        Problem.model_validate(data)
    text = str(info.value)
    for w in words:
        assert w in text, text
    return text


def with_(**changes: Any) -> dict[str, Any]:
    data = minimal()
    data.update(copy.deepcopy(changes))
    return data


# ---- a valid problem -------------------------------------------------------------------------------


def test_minimal_problem_is_valid() -> None:
    p = Problem.model_validate(minimal())
    assert p.id == "clip-sum"
    assert [t.visible for t in p.tests].count(True) == 1
    assert str(p.param_specs["xs"]) == "list[int]"
    assert p.tests[4].raises == "ValueError"
    assert p.tests[0].raises is None
    assert p.tolerance == Tolerance(abs=1e-9, rel=1e-9)  # the default
    assert p.limits.time_s == 2.0 and p.limits.memory_mb == 256
    assert p.forbidden == [] and p.perf is None


def test_problem_is_frozen() -> None:
    p = Problem.model_validate(minimal())
    with pytest.raises(ValidationError):
        p.id = "other"  # type: ignore[misc]


def test_unknown_fields_are_refused() -> None:
    refused(with_(hint="x"), "hint", "Extra inputs are not permitted")
    data = minimal()
    data["tests"][0]["expect"] = 2
    refused(data, "tests.0.expect")


# ---- tests: counts, notes, arguments ---------------------------------------------------------------


def test_fewer_than_five_hidden_tests() -> None:
    data = minimal()
    data["tests"][1]["visible"] = True  # 2 visible + 4 hidden
    refused(data, "at least 5 hidden tests", "found 4")


def test_too_few_tests_at_all() -> None:
    data = minimal()
    data["tests"] = data["tests"][:5]
    refused(data, "tests", "at least 6 items")


def test_no_visible_test() -> None:
    data = minimal()
    data["tests"][0]["visible"] = False
    refused(data, "at least one test must be visible")


def test_hidden_test_without_a_note() -> None:
    data = minimal()
    del data["tests"][3]["note"]
    refused(data, "tests[3]", "hidden test needs a note")


def test_a_visible_test_needs_no_note() -> None:
    data = minimal()
    del data["tests"][0]["note"]
    Problem.model_validate(data)


def test_note_length_is_capped() -> None:
    data = minimal()
    data["tests"][2]["note"] = "x" * 121
    refused(data, "tests.2.note")


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ([[1, 2.5]], {}, ["tests[2]", "argument 'xs'", "item 1", "expected an int"]),
        (["1, 2"], {}, ["tests[2]", "argument 'xs'", "expected a list"]),
        ([[1, True]], {}, ["tests[2]", "argument 'xs'", "True"]),
        ([[1]], {"cap": 2.0}, ["tests[2]", "argument 'cap'", "expected an int"]),
        ([[1], None], {}, ["tests[2]", "argument 'cap'"]),
    ],
)
def test_argument_of_the_wrong_type(args: list, kwargs: dict, words: list[str]) -> None:
    data = minimal()
    data["tests"][2].update(args=args, kwargs=kwargs)
    refused(data, *words)


def test_unknown_keyword() -> None:
    data = minimal()
    data["tests"][1]["kwargs"] = {"limit": 3}
    refused(data, "tests[1]", "keyword 'limit' is not among params", "xs, cap")


def test_argument_given_twice() -> None:
    data = minimal()
    data["tests"][1].update(args=[[1], 3], kwargs={"cap": 3})
    refused(data, "tests[1]", "'cap' given both by position and by keyword")


def test_too_many_positional_arguments() -> None:
    data = minimal()
    data["tests"][5]["args"] = [[1], 2, 3]
    refused(data, "tests[5]", "3 positional arguments but only 2 params")


def test_raises_with_extra_keys() -> None:
    data = minimal()
    data["tests"][4]["expected"] = {"raises": "ValueError", "match": "empty"}
    refused(data, "tests[4]", "expected: {raises: ValueError}` alone")


def test_raises_with_an_unknown_exception() -> None:
    data = minimal()
    data["tests"][4]["expected"] = {"raises": "OSError"}
    refused(data, "tests[4]", "'OSError'", "ValueError")


def test_every_allowed_exception_name_loads() -> None:
    for name in ("ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError"):
        data = minimal()
        data["tests"][4]["expected"] = {"raises": name}
        assert Problem.model_validate(data).tests[4].raises == name


def test_a_dict_result_without_raises_is_a_plain_expected_value() -> None:
    data = minimal()
    data["returns"] = "any"
    data["tests"][1]["expected"] = {"sum": 5, "capped": False}
    p = Problem.model_validate(data)
    assert p.tests[1].raises is None


# ---- identity and metadata -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["Clip-Sum", "clip_sum", "clip sum", "-clip", "clip-", "clip--sum", "", "x" * 61])
def test_bad_kebab_id(bad: str) -> None:
    refused(with_(id=bad), "id")


@pytest.mark.parametrize("good", ["a", "k-means", "top-k-top-p", "roc-auc-2"])
def test_good_kebab_id(good: str) -> None:
    assert Problem.model_validate(with_(id=good)).id == good


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("difficulty", "trivial"),
        ("topics", ["cooking"]),
        ("topics", []),
        ("roles", ["manager"]),
        ("companies", ["bank"]),
        ("title", "ab"),
        ("statement", "too short"),
    ],
)
def test_metadata_values(field: str, value: Any) -> None:
    refused(with_(**{field: value}), field)


@pytest.mark.parametrize("bad", ["1st", "class", "clip-sum", "clip sum", ""])
def test_function_must_be_a_python_name(bad: str) -> None:
    refused(with_(function=bad), "function", "not a Python function name")


def test_params_types_must_parse() -> None:
    refused(with_(params={"xs": "list[integer]", "cap": "int"}), "params", "parameter 'xs'", "unknown type 'integer'")
    refused(with_(params={"x s": "list[int]", "cap": "int"}), "params", "not a Python identifier")
    refused(with_(returns="int | str"), "returns", "only 'T | None' unions")


@pytest.mark.parametrize("bad", ["numpy..inv", "numpy.linalg.inv()", "", "numpy.linalg-inv", "1numpy", "numpy."])
def test_bad_forbidden_name(bad: str) -> None:
    refused(with_(forbidden=["scipy", bad]), "forbidden", "not a dotted name")


def test_good_forbidden_names() -> None:
    p = Problem.model_validate(with_(forbidden=["scipy", "numpy.linalg.inv", "sklearn"]))
    assert p.forbidden == ["scipy", "numpy.linalg.inv", "sklearn"]


# ---- sources -------------------------------------------------------------------------------------


def test_syntax_error_in_the_reference_names_the_line() -> None:
    broken = REFERENCE.replace("return min(sum(xs), cap)", "return min(sum(xs), cap")
    text = refused(with_(reference=broken), "reference", "syntax error on line 4")
    assert "mutants" not in text


def test_syntax_error_in_the_starter() -> None:
    refused(with_(starter="def clip_sum(xs cap):\n    pass\n"), "starter", "line 1")


def test_syntax_error_in_a_mutant_names_which_one() -> None:
    data = minimal()
    data["mutants"][1]["source"] = "def clip_sum(xs):\n    return (\n"
    refused(data, "mutants[1]", "syntax error on line")


def test_deeply_nested_source_is_a_field_error_not_a_crash() -> None:
    refused(with_(reference="x = " + "-" * 60_000 + "1\n"), "reference", "nested too deeply")


def test_source_size_is_capped() -> None:
    refused(with_(reference=REFERENCE + "#" * (64 * 1024)), "reference", "larger than 64 KiB")


def test_mutant_identical_to_the_reference() -> None:
    data = minimal()
    data["mutants"][0]["source"] = REFERENCE
    refused(data, "mutants must differ")
    data["mutants"][0]["source"] = "\n" + REFERENCE + "\n\n"  # surrounding blank lines change nothing
    refused(data, "mutants must differ")


def test_two_identical_mutants() -> None:
    data = minimal()
    data["mutants"][1]["source"] = data["mutants"][0]["source"]
    refused(data, "mutants must differ")


def test_at_least_two_mutants() -> None:
    data = minimal()
    data["mutants"] = data["mutants"][:1]
    refused(data, "mutants", "at least 2 items")


# ---- tolerance, limits, perf ---------------------------------------------------------------------


def test_tolerance_of_a_test_overrides_the_problem() -> None:
    data = minimal()
    data["tolerance"] = {"abs": 0.5}
    data["tests"][1]["tolerance"] = {"abs": 1e-3, "rel": 1e-6}
    data["tests"][2]["tolerance"] = None  # explicit null: exact, whatever the problem says
    p = Problem.model_validate(data)
    assert p.tolerance == Tolerance(abs=0.5, rel=0.0)
    assert p.tolerance_of(p.tests[0]) == Tolerance(abs=0.5, rel=0.0)  # unset: the problem's
    assert p.tolerance_of(p.tests[1]) == Tolerance(abs=1e-3, rel=1e-6)
    assert p.tolerance_of(p.tests[2]) is None


def test_problem_tolerance_null_means_exact_everywhere_unless_a_test_says_otherwise() -> None:
    data = minimal()
    data["tolerance"] = None
    data["tests"][1]["tolerance"] = {"rel": 0.01}
    p = Problem.model_validate(data)
    assert p.tolerance is None
    assert p.tolerance_of(p.tests[0]) is None
    assert p.tolerance_of(p.tests[1]) == Tolerance(abs=0.0, rel=0.01)


def test_tolerances_are_not_negative_and_have_no_other_keys() -> None:
    refused(with_(tolerance={"abs": -1e-9}), "tolerance.abs")
    data = minimal()
    data["tests"][1]["tolerance"] = {"rel": -0.1}
    refused(data, "tests.1.tolerance.rel")
    refused(with_(tolerance={"abs": 1e-9, "ulp": 2}), "tolerance.ulp")


def test_limits() -> None:
    p = Problem.model_validate(with_(limits={"time_s": 5, "memory_mb": 512}))
    assert (p.limits.time_s, p.limits.memory_mb) == (5.0, 512)
    refused(with_(limits={"time_s": 0}), "limits.time_s")
    refused(with_(limits={"time_s": 21}), "limits.time_s")
    refused(with_(limits={"memory_mb": 8}), "limits.memory_mb")


def test_perf() -> None:
    gen = "def generate(rng):\n    return {'args': [list(range(10))], 'kwargs': {}}\n"
    p = Problem.model_validate(with_(perf={"seed": 3, "generator": gen}))
    assert p.perf is not None and p.perf.seed == 3
    refused(with_(perf={"seed": 3}), "perf.generator")
