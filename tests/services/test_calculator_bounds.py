"""Every stats and estimation calculator, driven with extreme floats, huge integers, NaN and
infinities: the answer is a field error (``LoopprepError``) or a finite result, never another
exception and never a silent ``nan`` (issue 13, item 9)."""

from __future__ import annotations

import math
import time
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopprep.errors import InvalidInput, LoopprepError
from loopprep.services import estimate as est
from loopprep.services.stats import CALCULATORS, calculate

EXTREME_TEXT = [
    "0",
    "-0",
    "1",
    "2",
    "-1",
    "0.5",
    "1e-320",
    "5e-324",
    "1e-12",
    "1e12",
    "1e18",
    "1e20",
    "1e23",
    "1e308",
    "-1e308",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "1" + "0" * 40,
    "-" + "9" * 30,
    "0.999999999",
]


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(EXTREME_TEXT),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(min_value=-1e6, max_value=1e6).map(repr),
    )


def _lists() -> st.SearchStrategy[str]:
    return st.lists(_numbers(), min_size=0, max_size=6).map(",".join) | st.integers(0, 3000).map(
        lambda k: ",".join(["0.5"] * k)
    )


def _field_values(annotation: Any, name: str) -> st.SearchStrategy[Any]:
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    literal = [v for a in args for v in get_args(a) if isinstance(v, str)]
    if literal and all(isinstance(v, str) for v in literal) and str not in args:
        return st.sampled_from(literal)
    if bool in args:
        return st.sampled_from(["true", "false"])
    if name in ("counts", "split", "pvalues"):
        return _lists()
    return _numbers()


# A working request per calculator (and per kind of each): the fuzzer changes one to three of
# its fields, so most examples get past the first check and reach the engine.
BASES: dict[str, list[dict[str, str]]] = {
    "sample-size": [{"baseline": "0.2", "target": "0.25"}, {"metric": "mean", "effect": "1", "sd": "2"}],
    "power": [{"n": "1000", "baseline": "0.2", "target": "0.25"}, {"metric": "mean", "n": "100", "d": "0.3"}],
    "mde": [{"n": "1000", "baseline": "0.1"}, {"metric": "mean", "n": "100", "sd": "3"}],
    "ci": [
        {"x1": "56", "n1": "70", "x2": "48", "n2": "80"},
        {"kind": "binomial", "x": "5", "n": "10"},
        {"kind": "welch", "mean1": "1", "sd1": "1", "n1": "10", "mean2": "2", "sd2": "1", "n2": "12"},
        {"kind": "ratio", "mean1": "1", "sd1": "1", "n1": "10", "mean2": "2", "sd2": "1", "n2": "12"},
    ],
    "srm": [{"counts": "5000,5100", "split": "50,50"}],
    "adjust": [{"pvalues": "0.01,0.04,0.03"}],
    "cuped": [{"rho": "0.5", "n": "10000"}],
    "did": [{"treat_pre": "20", "treat_post": "21", "control_pre": "23", "control_post": "21"}],
    "peeking": [{"simulations": "200", "days": "5"}],
}


def _raw_inputs(name: str, model: type) -> st.SearchStrategy[dict[str, Any]]:
    values = {f: _field_values(info.annotation, f) for f, info in model.model_fields.items()}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        raw: dict[str, Any] = dict(draw(st.sampled_from(BASES[name])))
        for field in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True)):
            raw[field] = draw(values[field])
        return raw

    return build()


def _finite_numbers(values: list[Any]) -> None:
    for v in values:
        if isinstance(v, float):
            assert math.isfinite(v), values


@pytest.mark.parametrize("name", list(CALCULATORS))
def test_stats_calculators_answer_finite_or_refuse(name: str) -> None:
    model = CALCULATORS[name][0]

    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(raw=_raw_inputs(name, model))
    def check(raw: dict[str, Any]) -> None:
        start = time.perf_counter()
        try:
            ans = calculate(name, raw)
        except LoopprepError as exc:
            assert exc.message and "Traceback" not in exc.message
            return
        finally:
            assert time.perf_counter() - start < 5, raw  # no input makes a calculator slow
        _finite_numbers([q.value for q in ans.result.values()])
        _finite_numbers([s.value for s in ans.steps])
        for alt in ans.alternatives:
            _finite_numbers([q.value for q in alt.result.values()])
        for q in ans.result.values():
            assert q.value is not None or ans.warnings, f"{name}: a blank figure with no warning ({raw})"

    check()


@pytest.mark.parametrize(
    ("name", "raw", "field", "words"),
    [
        ("ci", {"kind": "binomial", "x": "5", "n": "1e20"}, "n", "between 0 and 1,000,000,000,000"),
        ("mde", {"n": "1e18", "baseline": "0.1"}, "n", "between 2 and"),
        ("mde", {"metric": "mean", "n": "1e308"}, "n", "between 2 and"),
        ("sample-size", {"baseline": "0.2", "target": "0.25", "alpha": "1e-320"}, "alpha", "between 1e-10 and 0.5"),
        ("sample-size", {"metric": "mean", "effect": "1e-320", "sd": "1"}, "effect", "standardised effect"),
        ("srm", {"counts": "1e308,1e308"}, "counts", "between 0 and"),
        ("peeking", {"seed": "-1"}, "seed", "between 0 and"),
        ("peeking", {"users_per_day": "1" + "0" * 23}, "users_per_day", "between 10 and"),
        ("srm", {"counts": ",".join(["5000"] * 101)}, "counts", "at most 100 numbers"),
        ("adjust", {"pvalues": ",".join(["0.01"] * 1001)}, "pvalues", "at most 1,000 numbers"),
        ("adjust", {"pvalues": ",".join(["0.01"] * 30000)}, "pvalues", "at most 1,000"),
    ],
)
def test_reported_inputs_get_a_field_error(name: str, raw: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        calculate(name, raw)
    assert field in err.value.fields, err.value.fields
    assert words in err.value.fields[field]


def test_the_limits_leave_real_inputs_alone() -> None:
    assert calculate("srm", {"counts": ",".join(["5000"] * 100)}).result["p_value"].value > 0.99
    assert len(calculate("adjust", {"pvalues": ",".join(["0.01"] * 1000)}).steps) >= 1
    ans = calculate("sample-size", {"metric": "mean", "effect": "1", "sd": "2"})
    assert ans.result["n_control"].value == 64  # d = 0.5: the textbook 64 per arm


# ---- estimation --------------------------------------------------------------------------------

PRESET_TEXT = ["llama-3-70b", "llama-3-8b", "h100-sxm", "bf16", "fp8", "int4", "", "nope", "x" * 300]


def _estimate_inputs(model: type) -> st.SearchStrategy[dict[str, Any]]:
    def values(annotation: Any) -> st.SearchStrategy[Any]:
        literal = [v for v in get_args(annotation) if isinstance(v, str)]
        if literal:
            return st.sampled_from(literal)
        if annotation is str:
            return st.sampled_from(PRESET_TEXT)
        if annotation is bool:
            return st.sampled_from(["true", "false"])
        return _numbers()

    fields = {name: st.none() | values(info.annotation) for name, info in model.model_fields.items()}
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.mark.parametrize("calc_id", list(est.CALCULATORS))
def test_estimation_calculators_answer_finite_or_refuse(calc_id: str) -> None:
    calc = est.CALCULATORS[calc_id]

    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(raw=_estimate_inputs(calc.params))
    def check(raw: dict[str, Any]) -> None:
        try:
            view = est.run(None, calc_id, raw)
        except LoopprepError as exc:
            assert exc.message
            return
        _finite_numbers([q.value for q in view.result.values()])

    check()


def test_an_ivf_index_with_more_lists_than_vectors_is_refused() -> None:
    # 10 vectors of 8 dimensions (320 bytes) with 10^8 lists used to answer 3.2 GB of centroids.
    with pytest.raises(InvalidInput) as err:
        est.run(None, "index", {"vectors": "10", "dim": "8", "kind": "ivf-flat", "nlist": "100000000"})
    assert err.value.field == "nlist" or "nlist" in err.value.fields
    assert "more than the number of vectors" in err.value.message
    few = est.run(None, "index", {"vectors": "1000", "dim": "8", "kind": "ivf-flat", "nlist": "100"})
    assert any("per list" in w for w in few.warnings)


def test_a_long_preset_name_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidInput) as err:
        est.run(None, "weights", {"model": "m" * 100_000})
    assert "at most 100 characters" in err.value.message and len(err.value.message) < 300
