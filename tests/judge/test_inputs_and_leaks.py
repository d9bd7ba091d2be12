"""Inputs must not change, and hidden data never leaks: the immutability check in the child
(nested arrays, dicts and lists, views and copies) and the leak rule (a hidden case's prints and
exception text never reach the result), through the real sandbox."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import numpy as np
import pytest

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge
from loopprep.judge.harness import changed_arguments
from loopprep.judge.runner import judge as run

SECRET = 987654.321  # only ever in hidden cases


def _problem(**over) -> Problem:
    data = {
        "id": "batch-sum",
        "title": "Sum a batch",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["faang"],
        "statement": "Return the sum of the rows' sums and the dict's values; change no argument in place.",
        "function": "total",
        "signature": "def total(x: ndarray, rows: list[list[float]], w: dict[str, float]) -> float",
        "returns": "float",
        "params": {"x": "ndarray[float64]", "rows": "list[list[float]]", "w": "dict[str, float]"},
        "starter": "def total(x, rows, w):\n    raise NotImplementedError\n",
        "reference": "def total(x, rows, w):\n    return float(x.sum()) + sum(map(sum, rows)) + sum(w.values())\n",
        "mutants": [
            {"bug": "ignores w", "source": "def total(x, rows, w):\n    return float(x.sum()) + sum(map(sum, rows))\n"},
            {"bug": "ignores rows", "source": "def total(x, rows, w):\n    return float(x.sum()) + sum(w.values())\n"},
        ],
        "tests": [{"args": [[[1.0, 2.0]], [[1.0]], {"a": 1.0}], "expected": 5.0, "visible": True}]
        + [
            {"args": [[[SECRET, float(i)]], [[0.0]], {"a": 0.0}], "expected": SECRET + i, "note": f"secret row {i}"}
            for i in range(5)
        ],
    }
    data.update(over)
    return Problem.model_validate(data)


PROBLEM = _problem()
RETURN = "    return float(x.sum()) + sum(map(sum, rows)) + sum(w.values())\n"


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


# ---- the check itself, on the values the child holds -----------------------------------------------


def _changed(mutate) -> list[str]:
    args = [np.arange(6.0).reshape(2, 3), [[1.0, 2.0], [3.0]], {"a": np.zeros(2), "b": [1, 2]}]
    kwargs = {"k": {"inner": [np.ones(2)]}}
    before = copy.deepcopy((args, kwargs))
    mutate(args, kwargs)
    return changed_arguments(before, (args, kwargs), ["x", "rows", "w"])


def _write_view(a, k):
    a[0].T[1:, 0] = 7.0  # a transposed slice: a view of x


def _reinterpret(a, k):
    a[0].dtype = np.int64  # the same bytes, another dtype


@pytest.mark.parametrize(
    ("mutate", "names"),
    [
        (lambda a, k: None, []),
        (lambda a, k: a[0].copy().__setitem__(0, 99.0), []),  # a copy changed: the argument is intact
        (lambda a, k: np.sort(a[0], axis=1), []),
        (lambda a, k: a[0].sort(axis=0), []),  # already sorted: no change
        (lambda a, k: a[0].__setitem__((0, 0), 99.0), ["x"]),
        (_write_view, ["x"]),
        (lambda a, k: a[0].reshape(-1).__setitem__(5, -1.0), ["x"]),  # reshape of a contiguous array is a view
        (_reinterpret, ["x"]),
        (lambda a, k: a[1][1].append(4.0), ["rows"]),
        (lambda a, k: a[1].reverse(), ["rows"]),
        (lambda a, k: a[2]["a"].__setitem__(1, 5.0), ["w"]),  # an array inside a dict
        (lambda a, k: a[2].pop("b"), ["w"]),
        (lambda a, k: k["k"]["inner"][0].__imul__(2), ["k"]),  # an array in a list in a dict, by keyword
    ],
)
def test_changed_arguments_names_exactly_the_changed_ones(mutate, names) -> None:
    assert _changed(mutate) == names


def test_nan_left_in_place_is_no_change() -> None:
    x = np.array([np.nan, 1.0])
    assert changed_arguments(copy.deepcopy(([x], {})), ([x], {}), ["x"]) == []


# ---- through the sandbox ---------------------------------------------------------------------------


def test_changing_an_input_in_place_is_a_wrong_answer_naming_it(j: Judge) -> None:
    src = "def total(x, rows, w):\n    s = float(x.sum())\n    x -= x\n" + RETURN.replace("float(x.sum())", "s")
    g = run(j, PROBLEM, src, visible_only=False).graded
    assert g.verdict is Verdict.WRONG_ANSWER
    assert "`x` in place" in g.message and "must not change" in g.message
    nested = "def total(x, rows, w):\n    rows[0].append(0.0)\n" + RETURN
    g = run(j, PROBLEM, nested, visible_only=False).graded
    assert g.verdict is Verdict.WRONG_ANSWER and "`rows`" in g.message


def test_a_mutable_problem_only_lists_the_change(j: Judge) -> None:
    src = "def total(x, rows, w):\n    w['a'] = w['a']\n    w['z'] = 0.0\n" + RETURN
    g = run(j, _problem(inputs="mutable"), src, visible_only=False).graded
    assert g.verdict is Verdict.ACCEPTED and g.mutated == ["w"]
    assert run(j, PROBLEM, src, visible_only=False).graded.verdict is Verdict.WRONG_ANSWER


def test_a_hidden_cases_prints_and_exception_text_never_reach_the_result(j: Judge) -> None:
    src = (
        "def total(x, rows, w):\n"
        "    print('seen', x.tolist())\n"
        "    if x[0, 0] > 1000:\n"
        "        raise ValueError(f'bad row {x.tolist()}')\n"
        "    return float(x.sum()) + sum(map(sum, rows)) + sum(w.values())\n"
    )
    g = run(j, PROBLEM, src, visible_only=False).graded
    assert g.verdict is Verdict.RUNTIME_ERROR
    assert "seen [[1.0, 2.0]]" in g.stdout  # the visible example's print is shown
    shown = repr(g)
    assert "987654" not in shown and "bad row" not in shown
    hidden = [c for c in g.cases if not c.visible]
    assert {c.status for c in hidden} == {"error"}
    assert all(c.message == "ValueError" and c.traceback == "" for c in hidden)
    assert hidden[0].note == "secret row 0"


def test_a_forged_stdout_event_from_a_hidden_case_is_not_shown(j: Judge) -> None:
    src = (
        "import json, os\n"
        "def total(x, rows, w):\n"
        "    line = json.dumps({'event': 'stdout', 'text': repr(x.tolist())}) + '\\n'\n"
        "    if x[0, 0] > 1000:  # hidden data: forge the prints, then leave before the harness writes its own\n"
        "        for fd in range(3, 64):\n"
        "            try:\n"
        "                os.write(fd, line.encode())\n"
        "            except OSError:\n"
        "                pass\n"
        "        os._exit(0)\n"
        "    return float(x.sum()) + sum(map(sum, rows)) + sum(w.values())\n"
    )
    g = run(j, PROBLEM, src, visible_only=False).graded
    assert "987654" not in repr(g)


def test_a_forged_changed_argument_name_cannot_carry_hidden_data(j: Judge) -> None:
    src = (
        "import json, os\n"
        "def total(x, rows, w):\n"
        "    ev = {'event': 'test', 'i': 1, 'status': 'ok', 'ms': 0, 'mutated': [repr(x.tolist())], 'value': 0.0}\n"
        "    for fd in range(3, 64) if x[0, 0] > 1000 else ():  # on hidden data only\n"
        "        try:\n"
        "            os.write(fd, (json.dumps(ev) + '\\n').encode())\n"
        "        except OSError:\n"
        "            pass\n"
        "    return float(x.sum()) + sum(map(sum, rows)) + sum(w.values())\n"
    )
    g = run(j, PROBLEM, src, visible_only=False).graded
    assert "987654" not in repr(g)
