"""Correct code runs: the numpy a solution may call works inside the sandbox, including what numpy
imports lazily on first use (``np.unique`` reaches ``numpy.ma``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge
from loopprep.judge.runner import judge as run

SAMPLE = """
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def check(x):
    a = np.asarray(x, dtype=float)
    out = []
    out.append(np.unique(np.round(a)).size)
    out.append(float(np.percentile(a, 75)))
    out.append(float(np.quantile(a, 0.5)))
    m = np.outer(a[:3], a[:3]) + np.eye(3)
    out.append(float(np.linalg.det(m)))
    out.append(float(np.linalg.norm(np.linalg.inv(m))))
    out.append(float(np.linalg.eigvalsh(m)[0]))
    out.append(float(np.linalg.svd(m, compute_uv=False)[0]))
    rng = np.random.default_rng(0)
    out.append(float(rng.normal(size=4).sum()))
    out.append(int(rng.permutation(5)[0]))
    masked = np.ma.masked_array(a, mask=a < 0)
    out.append(float(masked.mean()))
    out.append(float(np.einsum("i,i->", a, a)))
    out.append(float(sliding_window_view(a, 2).sum()))
    out.append(float(np.abs(np.fft.rfft(a)).sum()))
    out.append(float(np.polynomial.polynomial.polyval(2.0, a[:3])))
    out.append(float(np.polyfit(np.arange(a.size), a, 1)[0]))
    out.append(int(np.searchsorted(np.sort(a), 0.0)))
    out.append(int(np.argsort(a, kind="stable")[0]))
    out.append(float(np.nanmean(np.where(a > 0, a, np.nan))))
    out.append(int(np.bincount(np.array([0, 1, 1])).max()))
    out.append(float(np.histogram(a, bins=3)[0].sum()))
    out.append(float(np.cumsum(a)[-1]))
    out.append(float(np.lib.scimath.sqrt(-1.0).imag))
    out.append(str(np.char.upper("a")))
    out.append(bool(np.isin(1.0, a)))
    out.append(int(np.setdiff1d(np.arange(5), np.array([1, 2])).size))
    out.append(float(np.linalg.lstsq(m, np.ones(3), rcond=None)[0][0]))
    return all(v == v for v in out) and len(out) == 26
"""

PROBLEM = Problem.model_validate(
    {
        "id": "numpy-sample",
        "title": "A sample of numpy",
        "difficulty": "easy",
        "topics": ["numerics"],
        "roles": ["ml-engineer"],
        "companies": ["faang"],
        "statement": "Call a broad sample of the public numpy API and return True when every call worked.",
        "function": "check",
        "signature": "def check(x: list[float]) -> bool",
        "returns": "bool",
        "params": {"x": "list[float]"},
        "starter": "def check(x):\n    raise NotImplementedError\n",
        "reference": SAMPLE,
        "mutants": [
            {"bug": "false", "source": "def check(x):\n    return False\n"},
            {"bug": "none", "source": "def check(x):\n    return None\n"},
        ],
        "tests": [{"args": [[1.0, -2.0, 3.5, 4.0]], "expected": True, "visible": True}]
        + [{"args": [[float(i), 2.0, -1.0, 0.5 * i]], "expected": True, "note": f"sample {i}"} for i in range(5)],
    }
)


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


def test_a_broad_sample_of_numpy_runs_in_the_sandbox(j: Judge) -> None:
    res = run(j, PROBLEM, SAMPLE, visible_only=False)
    assert res.graded.verdict is Verdict.ACCEPTED, res.graded.message


def test_np_unique_alone_runs_in_the_sandbox(j: Judge) -> None:
    # the report: a plain np.unique failed with "No module named 'numpy.ma'"
    code = "import numpy as np\ndef check(x):\n    return np.unique(np.array(x)).size > 0\n"
    res = run(j, PROBLEM, code, visible_only=False)
    assert res.graded.verdict is Verdict.ACCEPTED, res.graded.message


def test_numpys_lazy_submodules_are_loaded_before_the_submission(j: Judge) -> None:
    # where the interpreter's files sit out of the sandbox's reach (a home directory), a lazy import
    # fails inside it: every lazily imported public submodule must already be loaded when the code arrives
    code = (
        "import sys\n"
        "LOADED = set(sys.modules)\n"
        "def check(x):\n"
        "    need = ['numpy.ma', 'numpy.polynomial', 'numpy.fft', 'numpy.linalg', 'numpy.random',\n"
        "            'numpy.lib.stride_tricks', 'numpy.char', 'numpy.strings', 'numpy.rec']\n"
        "    return all(n in LOADED for n in need)\n"
    )
    res = run(j, PROBLEM, code, visible_only=False)
    assert res.graded.verdict is Verdict.ACCEPTED, res.graded.message
