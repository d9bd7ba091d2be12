"""Grading hand-written child output: the event stream a sandboxed child would write (or forge),
and how the trusted side turns it into a verdict without ever showing hidden expected values."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import pickle

import numpy as np
import pytest

from loopprep.engines.judge.compare import Array, Tol
from loopprep.engines.judge.grade import BadEvent, CaseSpec, Exit, Graded, Verdict, decode_value, grade, parse_events

TOL = Tol(abs=1e-9, rel=1e-9)
SECRET = 0.7071067811865476  # a hidden expected value that must never reach the user
CLEAN = Exit("exited", code=0)


def cases() -> list[CaseSpec]:
    return [
        CaseSpec(0, [0.5, 0.5], TOL, True, "two equal logits", [[1.0, 1.0]], {}),
        CaseSpec(1, [SECRET, 1 - SECRET], TOL, False, "numerical stability: large inputs", [[1000.0, 999.0]], {}),
        CaseSpec(2, {"raises": "ValueError"}, TOL, False, "edge case: empty input", [[]], {}),
        CaseSpec(3, {"raises": "ValueError"}, TOL, True, "", [[1.0]], {"axis": 3}),
    ]


def line(**event) -> bytes:
    return (json.dumps(event) + "\n").encode()


def ok(i: int, value, ms: float = 0.25, mutated: list | None = None) -> bytes:
    return line(event="test", i=i, status="ok", ms=ms, mutated=mutated or [], value=value)


def raised(i: int, etype: str = "ValueError", mro: list[str] | None = None, message: str = "bad") -> bytes:
    mro = mro if mro is not None else [etype, "Exception"]
    return line(
        event="test",
        i=i,
        status="error",
        ms=0.1,
        type=etype,
        mro=mro,
        message=message,
        traceback=f'File "<solution>", line 4, in f\n{etype}: {message}',
    )


def npy(array: np.ndarray, *, allow_pickle: bool = False) -> dict:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return {"__ndarray__": base64.b64encode(buf.getvalue()).decode()}


START = line(event="start")
END = line(event="stdout", text="") + line(event="done")
GOOD = [ok(0, [0.5, 0.5]), ok(1, [SECRET, 1 - SECRET]), raised(2), raised(3)]


def run(*chunks: bytes, exit: Exit = CLEAN, specs: list[CaseSpec] | None = None) -> Graded:
    return grade(specs if specs is not None else cases(), b"".join(chunks), exit)


def shown(g: Graded) -> str:
    """Everything the user can see of a grading, as one text."""
    return repr(dataclasses.asdict(g))


def assert_no_secret(g: Graded) -> None:
    text = shown(g)
    assert repr(SECRET) not in text and str(SECRET)[:8] not in text
    assert "1000.0" not in text  # the hidden arguments stay hidden too


# ---- accepted ------------------------------------------------------------------------------------


def test_accepted() -> None:
    g = run(START, *GOOD, line(event="stdout", text="hello\n"), line(event="done"))
    assert g.verdict is Verdict.ACCEPTED
    assert (g.passed, g.total) == (4, 4)
    assert g.message == "All 4 tests passed."
    assert [c.status for c in g.cases] == ["passed"] * 4
    assert g.stdout == "hello\n"
    assert g.cases[0].ms == 0.25
    assert g.line is None and g.forbidden is None and g.mutated == []
    assert_no_secret(g)


def test_accepted_with_numpy_results() -> None:
    g = run(
        START, ok(0, npy(np.array([0.5, 0.5]))), ok(1, npy(np.array([SECRET, 1 - SECRET]))), raised(2), raised(3), END
    )
    assert g.verdict is Verdict.ACCEPTED
    assert g.cases[0].got == [0.5, 0.5]  # shown as a plain list


def test_visible_cases_show_their_data_and_hidden_ones_do_not() -> None:
    g = run(START, *GOOD, END)
    vis, hid = g.cases[0], g.cases[1]
    assert (vis.args, vis.kwargs, vis.expected, vis.got) == ([[1.0, 1.0]], {}, [0.5, 0.5], [0.5, 0.5])
    assert (hid.args, hid.kwargs, hid.expected, hid.got) == (None, None, None, None)
    assert hid.note == "numerical stability: large inputs"


def test_no_cases_is_accepted_once_done() -> None:
    assert grade([], START + END, CLEAN).verdict is Verdict.ACCEPTED


# ---- wrong answers -------------------------------------------------------------------------------


def test_wrong_answer_on_a_visible_case_shows_expected_and_got() -> None:
    g = run(START, ok(0, [0.25, 0.75]), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.message.startswith("Wrong answer: at [0]:")
    assert "example 1" in g.message
    c = g.cases[0]
    assert c.status == "wrong"
    assert (c.expected, c.got) == ([0.5, 0.5], [0.25, 0.75])
    assert c.message == "at [0]: outside tolerance (abs 1e-09, rel 1e-09) (expected 0.5, got 0.25)"
    assert (g.passed, g.total) == (3, 4)
    assert [c.status for c in g.cases[1:]] == ["passed"] * 3  # every case still runs and is graded


def test_visible_array_shape_mismatch() -> None:
    g = run(START, ok(0, npy(np.array([[0.5], [0.5]]))), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert "array shape differs" in g.message and "(2, 1)" in g.message
    assert g.cases[0].got == [[0.5], [0.5]]


def test_hidden_failure_shows_only_the_note() -> None:
    g = run(START, GOOD[0], ok(1, [0.5, 0.5]), *GOOD[2:], END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.message == "Wrong answer (numerical stability: large inputs)"
    c = g.cases[1]
    assert c.status == "wrong"
    assert c.message == "outside tolerance (abs 1e-09, rel 1e-09)"
    assert c.got is None and c.expected is None
    assert_no_secret(g)
    assert "0.5" not in c.message  # not even the submission's own value is echoed beside hidden data


def test_hidden_failure_without_a_note_is_numbered() -> None:
    specs = cases()
    specs[1] = dataclasses.replace(specs[1], note="")
    g = run(START, GOOD[0], ok(1, [0.5, 0.5]), *GOOD[2:], END, specs=specs)
    assert g.message == "Wrong answer (hidden case 2)"
    assert_no_secret(g)


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ({"secret-key": 1.0}, {}),
        ({"secret-key": 1.0}, {"other": 1.0}),
        ([float("nan")], [1.0]),
        ([1.0, 2.0, 3.0], [1.0]),
        ("secret-label", "other"),
        ([[1.0], [2.0]], npy(np.array([1.0, 2.0]))),
    ],
)
def test_hidden_mismatch_reasons_reveal_nothing_of_the_expected_value(expected, got) -> None:
    specs = [CaseSpec(0, expected, TOL, False, "a hidden case", [[5.0]], {})]
    g = run(START, ok(0, got), END, specs=specs)
    assert g.verdict is Verdict.WRONG_ANSWER
    text = shown(g)
    for word in ("secret", "nan", "NaN", "length 3", "(2, 1)"):
        assert word not in text


def test_bad_output_status_is_a_wrong_answer() -> None:
    g = run(
        START,
        line(event="test", i=0, status="bad_output", ms=1.0, message="the function returned a set"),
        *GOOD[1:],
        END,
    )
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.cases[0].message == "the function returned a set"


def test_mutated_arguments_are_collected() -> None:
    g = run(
        START,
        ok(0, [0.5, 0.5], mutated=["x"]),
        ok(1, [SECRET, 1 - SECRET], mutated=["x", "w"]),
        raised(2),
        raised(3),
        END,
    )
    assert g.verdict is Verdict.ACCEPTED
    assert g.mutated == ["w", "x"]
    assert g.cases[0].mutated == ["x"]


# ---- raises cases --------------------------------------------------------------------------------


def test_expected_exception_passes() -> None:
    assert run(START, *GOOD, END).cases[2].status == "passed"


def test_subclass_of_the_expected_exception_passes() -> None:
    g = run(START, *GOOD[:2], raised(2, "EmptyInput", ["EmptyInput", "ValueError", "Exception"]), raised(3), END)
    assert g.verdict is Verdict.ACCEPTED


def test_wrong_exception_type() -> None:
    g = run(START, *GOOD[:3], raised(3, "TypeError"), END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.cases[3].status == "wrong"
    assert g.cases[3].message == "expected ValueError to be raised, but TypeError was raised"
    assert "example 4" in g.message


def test_exception_named_like_the_expected_one_in_the_message_only_does_not_pass() -> None:
    g = run(START, *GOOD[:3], raised(3, "RuntimeError", ["RuntimeError", "Exception"], message="ValueError"), END)
    assert g.verdict is Verdict.WRONG_ANSWER


def test_returned_instead_of_raising() -> None:
    g = run(START, *GOOD[:3], ok(3, [1.0]), END)
    assert g.verdict is Verdict.WRONG_ANSWER
    c = g.cases[3]
    assert c.message == "expected ValueError to be raised, but the function returned"
    assert c.got == [1.0]


def test_hidden_case_returned_instead_of_raising_shows_no_value() -> None:
    g = run(START, *GOOD[:2], ok(2, [123.456]), raised(3), END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.cases[2].got is None
    assert "123.456" not in shown(g)
    assert g.message.endswith("(edge case: empty input)")


def test_an_unexpected_exception_is_a_runtime_error_with_the_traceback() -> None:
    g = run(START, raised(0, "ZeroDivisionError", message="division by zero"), *GOOD[1:], END)
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert g.message == "Your code raised ZeroDivisionError (example 1)"
    c = g.cases[0]
    assert c.status == "error"
    assert c.message == "ZeroDivisionError: division by zero"
    assert 'File "<solution>", line 4' in c.traceback


# ---- failures before the tests -------------------------------------------------------------------


def test_compile_error_names_the_line() -> None:
    g = run(START, line(event="compile_error", line=3, message="invalid syntax"), END)
    assert g.verdict is Verdict.COMPILE_ERROR
    assert g.line == 3
    assert g.message == "Syntax error on line 3: invalid syntax"
    assert [c.status for c in g.cases] == ["not-run"] * 4
    assert g.passed == 0 and g.total == 4


def test_compile_error_with_a_forged_line_number() -> None:
    g = run(START, line(event="compile_error", line="3; rm -rf", message="x"), END)
    assert g.verdict is Verdict.COMPILE_ERROR and g.line is None


def test_missing_function() -> None:
    g = run(START, line(event="missing_function", name="softmax", defined=["soft_max", "helper"]), END)
    assert g.verdict is Verdict.COMPILE_ERROR
    assert "`softmax`" in g.message and "soft_max, helper" in g.message


def test_load_error() -> None:
    tb = "File \"<solution>\", line 2, in <module>\nNameError: name 'np' is not defined"
    g = run(START, line(event="load_error", kind="error", type="NameError", traceback=tb), END)
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert g.message.startswith("Your code raised NameError while it was loading.")
    assert tb in g.message and g.cases[0].traceback == tb


def test_memory_while_loading() -> None:
    g = run(START, line(event="load_error", kind="memory", traceback="MemoryError"), END)
    assert g.verdict is Verdict.MEMORY_LIMIT


def test_forbidden_at_load() -> None:
    g = run(START, line(event="forbidden", name="scipy", where="load"), END)
    assert g.verdict is Verdict.FORBIDDEN
    assert g.forbidden == "scipy"
    assert "scipy" in g.message


def test_forbidden_during_a_test_names_the_forbidden_entry() -> None:
    g = run(START, GOOD[0], line(event="test", i=1, status="forbidden", name="numpy.linalg.inv"), END)
    assert g.verdict is Verdict.FORBIDDEN
    assert g.forbidden == "numpy.linalg.inv"
    assert g.cases[1].status == "forbidden"
    assert "numpy.linalg.inv" in g.message


def test_static_forbidden_wins_without_reading_output() -> None:
    g = grade(cases(), b"not even json", CLEAN, static_forbidden="sklearn")
    assert g.verdict is Verdict.FORBIDDEN and g.forbidden == "sklearn"
    assert all(c.status == "not-run" for c in g.cases)


# ---- limits and how the child ended --------------------------------------------------------------


def test_memory_limit_in_a_test() -> None:
    g = run(START, GOOD[0], line(event="test", i=1, status="memory", ms=3.0), END)
    assert g.verdict is Verdict.MEMORY_LIMIT
    assert g.cases[1].status == "memory"
    assert g.message.endswith("(numerical stability: large inputs)")


def test_memory_error_raised_is_a_memory_limit() -> None:
    g = run(START, raised(0, "MemoryError", ["MemoryError", "Exception"]), END)
    assert g.verdict is Verdict.MEMORY_LIMIT


@pytest.mark.parametrize(
    ("exit", "verdict", "status", "words"),
    [
        (Exit("timeout", detail="wall clock 6 s"), Verdict.TIME_LIMIT, "timeout", "wall clock 6 s"),
        (Exit("signal", signal="SIGXCPU"), Verdict.TIME_LIMIT, "timeout", "CPU time"),
        (Exit("signal", signal="SIGKILL", detail="cpu"), Verdict.TIME_LIMIT, "timeout", "CPU time"),
        (Exit("signal", signal="SIGKILL"), Verdict.RUNTIME_ERROR, "error", "killed by SIGKILL"),
        (Exit("exited", code=3), Verdict.RUNTIME_ERROR, "error", "exit status 3"),
        (Exit("exited", code=0), Verdict.RUNTIME_ERROR, "error", "exit status 0"),
        (Exit("output-limit", detail="1 MiB"), Verdict.RUNTIME_ERROR, "error", "Output limit exceeded (1 MiB)"),
        (Exit("crash", detail="zygote lost the child"), Verdict.JUDGE_ERROR, "error", "zygote lost the child"),
    ],
)
def test_a_child_that_stopped_mid_run(exit: Exit, verdict: Verdict, status: str, words: str) -> None:
    g = run(START, GOOD[0], exit=exit)  # case 1 never reported, no done
    assert g.verdict is verdict
    assert words in g.message
    assert g.message.endswith("(numerical stability: large inputs)")
    assert [c.status for c in g.cases] == ["passed", status, "not-run", "not-run"]
    assert g.passed == 1


def test_os_exit_after_the_last_test_is_still_a_runtime_error() -> None:
    g = run(START, *GOOD, exit=Exit("exited", code=0))  # every test reported, but no done
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert "before returning" in g.message


def test_timeout_after_the_last_test() -> None:
    g = run(START, *GOOD, exit=Exit("timeout", detail="wall clock"))
    assert g.verdict is Verdict.TIME_LIMIT


def test_output_limit_drops_the_cut_line() -> None:
    cut = b'{"event": "test", "i": 1, "status": "ok", "val'
    g = run(START, GOOD[0], cut, exit=Exit("output-limit", detail="1 MiB"))
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert "Output limit exceeded" in g.message
    assert g.cases[0].status == "passed"


def test_empty_output() -> None:
    g = run(exit=Exit("signal", signal="SIGKILL"))
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert g.passed == 0


# ---- garbage and forgeries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        b"hello from print\n",
        b"[1, 2, 3]\n",
        b'{"no_event": 1}\n',
        b"\xff\xfe\n",
        b"[" * 100_000 + b"\n",
    ],
)
def test_garbage_output_is_a_runtime_error(junk: bytes) -> None:
    g = run(START, GOOD[0], junk, *GOOD[1:], END)
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert "corrupted the judge's channel" in g.message
    assert g.passed == 0


def test_a_forged_verdict_event_is_ignored() -> None:
    g = run(START, line(event="verdict", verdict="accepted", passed=4), ok(0, [0.0, 1.0]), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER
    g = run(START, line(event="verdict", verdict="accepted"), END)
    assert g.verdict is not Verdict.ACCEPTED


def test_a_duplicate_test_event_counts_once() -> None:
    g = run(START, ok(0, [0.0, 1.0]), ok(0, [0.5, 0.5]), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER  # the first report stands
    assert (g.passed, g.total) == (3, 4)
    g = run(START, *GOOD, *GOOD, END)
    assert (g.passed, g.total) == (4, 4)
    assert len(g.cases) == 4


@pytest.mark.parametrize("index", [4, 99, -1, "0", 0.0, None])
def test_test_events_for_other_indexes_are_ignored(index) -> None:
    g = run(START, line(event="test", i=index, status="ok", value=[0.5, 0.5]), *GOOD[1:], END)
    assert g.verdict is Verdict.RUNTIME_ERROR  # case 0 was never reported
    assert g.cases[0].status == "error"
    assert g.passed == 3


def test_out_of_range_events_do_not_add_cases() -> None:
    g = run(START, *GOOD, ok(7, [1.0]), ok(-2, [1.0]), END)
    assert g.verdict is Verdict.ACCEPTED and (g.passed, g.total) == (4, 4)


def test_a_forged_done_before_the_tests_does_not_pass_them() -> None:
    g = run(START, line(event="done"), GOOD[0], exit=Exit("exited", code=0))
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert g.passed == 1


def test_unknown_test_status_is_a_runtime_error() -> None:
    g = run(START, line(event="test", i=0, status="passed", value=[0.5, 0.5]), *GOOD[1:], END)
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert g.cases[0].status == "error"


def test_a_forged_exception_list_that_is_not_a_list() -> None:
    g = run(START, *GOOD[:3], line(event="test", i=3, status="error", type="KeyError", mro="ValueError"), END)
    assert g.verdict is Verdict.WRONG_ANSWER


def test_unreadable_values_are_wrong_answers_not_crashes() -> None:
    objects = npy(np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    g = run(START, ok(0, objects), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.cases[0].message.startswith("unreadable result")
    g = run(START, *GOOD[:3], ok(3, objects), END)  # a raises case that returned junk
    assert g.verdict is Verdict.WRONG_ANSWER
    assert g.cases[3].got is None
    g = run(START, ok(0, {"__ndarray__": 12}), *GOOD[1:], END)
    assert g.verdict is Verdict.WRONG_ANSWER


def test_forged_strange_fields_do_not_crash() -> None:
    g = run(START, line(event="test", i=0, status="ok", ms="fast", mutated="x", value=[0.5, 0.5]), *GOOD[1:], END)
    assert g.verdict is Verdict.ACCEPTED
    assert g.cases[0].ms is None and g.cases[0].mutated == []
    g = run(START, line(event="missing_function", name="f", defined="abc"), END)
    assert g.verdict is Verdict.COMPILE_ERROR


def test_cases_sent_are_matched_by_position_not_by_problem_index() -> None:
    # "Run examples" sends only the visible tests: problem indexes 0 and 3 go out as positions 0 and 1
    specs = [c for c in cases() if c.visible]
    g = grade(specs, START + ok(0, [0.5, 0.5]) + ok(1, [2.0]) + END, CLEAN)
    assert g.verdict is Verdict.WRONG_ANSWER
    assert "example 4" in g.message
    assert [c.index for c in g.cases] == [0, 3]


# ---- decode_value --------------------------------------------------------------------------------


def test_decode_plain_values() -> None:
    value = {"a": [1, 2.5, None, True, "s"], "b": {"c": []}}
    assert decode_value(value) == value


@pytest.mark.parametrize(
    ("array", "dtype"),
    [
        (np.array([[1.0, 2.0], [3.0, 4.0]]), "float64"),
        (np.array([1, 2], dtype=np.int32), "int32"),
        (np.array([True, False]), "bool"),
        (np.array([1, 2], dtype=np.uint8), "uint8"),
        (np.zeros((0, 3), dtype=np.float32), "float32"),
        (np.array(2.5), "float64"),
    ],
)
def test_decode_numeric_arrays(array: np.ndarray, dtype: str) -> None:
    got = decode_value(npy(array))
    assert got == Array(dtype, array.shape, array.tolist())


def test_decode_arrays_inside_containers() -> None:
    got = decode_value({"w": npy(np.eye(2)), "rest": [npy(np.array([1]))]})
    assert got["w"] == Array("float64", (2, 2), [[1.0, 0.0], [0.0, 1.0]])
    assert got["rest"][0].shape == (1,)


@pytest.mark.parametrize(
    "value",
    [
        npy(np.array([{"a": 1}], dtype=object), allow_pickle=True),
        npy(np.array(["a", "b"])),
        npy(np.array([1 + 2j])),
        npy(np.array(["2024-01-01"], dtype="datetime64[D]")),
        npy(np.zeros(2, dtype=[("x", "f8"), ("y", "i4")])),
        {"__ndarray__": base64.b64encode(pickle.dumps([1, 2, 3])).decode()},
        {"__ndarray__": base64.b64encode(b"").decode()},
        {"__ndarray__": base64.b64encode(b"\x93NUMPY").decode()},
        {"__ndarray__": "not base64!"},
        {"__ndarray__": 7},
        {"__ndarray__": None},
    ],
)
def test_decode_refuses_what_is_not_a_plain_numeric_array(value) -> None:
    with pytest.raises(BadEvent):
        decode_value(value)


def test_decode_refuses_a_header_that_lies_about_the_size() -> None:
    real = base64.b64decode(npy(np.zeros(4))["__ndarray__"])
    forged = real.replace(b"(4,)", b"(400000000000,)")
    with pytest.raises(BadEvent):
        decode_value({"__ndarray__": base64.b64encode(forged).decode()})


def test_decode_refuses_foreign_types_and_deep_nesting() -> None:
    with pytest.raises(BadEvent):
        decode_value((1, 2))
    with pytest.raises(BadEvent):
        decode_value(object())
    deep: list = []
    for _ in range(500):
        deep = [deep]
    with pytest.raises(BadEvent):
        decode_value(deep)


def test_parse_events() -> None:
    assert parse_events(b'{"event": "start"}\n\n  \n{"event": "done", "x": NaN}\n')[0] == {"event": "start"}
    with pytest.raises(BadEvent):
        parse_events(b'{"event": "start"}\n{oops\n')
    with pytest.raises(BadEvent):
        parse_events(b'"event"\n')


def test_verdict_labels() -> None:
    assert {v.value for v in Verdict} == {
        "accepted",
        "compile-error",
        "wrong-answer",
        "runtime-error",
        "time-limit",
        "memory-limit",
        "too-slow",
        "forbidden-call",
        "judge-error",
    }
    assert Verdict.TIME_LIMIT.label == "Time limit exceeded"
    assert all(v.label for v in Verdict)


def test_a_fortran_order_or_big_endian_array_decodes_to_its_values() -> None:
    import base64
    import io

    import numpy as np

    for arr in (np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(4, dtype=">i4").reshape(2, 2)):
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        got = decode_value({"__ndarray__": base64.b64encode(buf.getvalue()).decode()})
        assert got.shape == arr.shape and got.values == arr.tolist()
