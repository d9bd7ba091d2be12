"""Intervals against published tables and independent computations.

- Newcombe RG (1998), "Interval estimation for the difference between independent proportions:
  comparison of eleven methods", Statistics in Medicine 17:873-890, Table II: examples (a)-(f),
  method 10 (hybrid score, our default) and method 6 (Miettinen-Nurminen score).
- R ``t.test`` help page example (sleep data, Welch): t = -1.8608, df = 17.776,
  p = 0.07939, 95 % CI -3.3654832 to 0.2054832.
- R ``binom.test`` help page example (682 of 925, p = 3/4): p = 0.3825, 95 % CI 0.7076683 to
  0.7654066.
"""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopprep.engines.stats.intervals import (
    binomial_exact,
    diff_proportions_ci,
    mn_statistic,
    ratio_of_means_ci,
    welch_ci,
)
from loopprep.engines.stats.result import BadInput

TABLE_II = [
    # (x1, n1, x2, n2), method 10 (Newcombe hybrid), method 6 (Miettinen-Nurminen)
    ((56, 70, 48, 80), (0.0524, 0.3339), (0.0528, 0.3382)),
    ((9, 10, 3, 10), (0.1705, 0.8090), (0.1700, 0.8406)),
    ((6, 7, 2, 7), (0.0582, 0.8062), (0.0342, 0.8534)),
    ((5, 56, 0, 29), (-0.0381, 0.1926), (-0.0326, 0.1933)),
    ((0, 10, 0, 20), (-0.1611, 0.2775), (-0.1658, 0.2844)),
    ((10, 10, 0, 20), (0.6791, 1.0000), (0.7156, 1.0000)),
]


@pytest.mark.parametrize(("counts", "hybrid", "mn"), TABLE_II)
def test_newcombe_table_ii(counts: tuple, hybrid: tuple, mn: tuple) -> None:
    r = diff_proportions_ci(*counts)
    assert (r.result["lower"].value, r.result["upper"].value) == pytest.approx(hybrid, abs=5.1e-5)
    m = diff_proportions_ci(*counts, method="mn")
    assert (m.result["lower"].value, m.result["upper"].value) == pytest.approx(mn, abs=5.1e-5)


def _brute_mn_stat(x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """The MN statistic with the constrained MLE found numerically (no closed-form cubic)."""
    from scipy.optimize import minimize_scalar

    lo, hi = max(0.0, delta), min(1.0, 1.0 + delta)

    def nll(p1: float) -> float:
        p2 = p1 - delta
        eps = 1e-15
        return -(
            x1 * math.log(max(p1, eps))
            + (n1 - x1) * math.log(max(1 - p1, eps))
            + x2 * math.log(max(p2, eps))
            + (n2 - x2) * math.log(max(1 - p2, eps))
        )

    p1 = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).x
    p2 = p1 - delta
    nn = n1 + n2
    var = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * nn / (nn - 1)
    return (x1 / n1 - x2 / n2 - delta) / math.sqrt(var)


@settings(max_examples=50, deadline=None)
@given(
    n1=st.integers(5, 300),
    n2=st.integers(5, 300),
    f1=st.floats(0.05, 0.95),
    f2=st.floats(0.05, 0.95),
    delta=st.floats(-0.8, 0.8),
)
def test_mn_statistic_matches_numerical_mle(n1: int, n2: int, f1: float, f2: float, delta: float) -> None:
    x1, x2 = round(f1 * n1), round(f2 * n2)
    assert mn_statistic(x1, n1, x2, n2, delta) == pytest.approx(
        _brute_mn_stat(x1, n1, x2, n2, delta), rel=1e-4, abs=1e-4
    )


def test_mn_bounds_have_the_critical_statistic() -> None:
    r = diff_proportions_ci(56, 70, 48, 80, method="mn")
    for bound in ("lower", "upper"):
        assert abs(_brute_mn_stat(56, 70, 48, 80, r.result[bound].value)) == pytest.approx(1.959964, abs=1e-4)


def test_alternatives_are_the_other_two_methods() -> None:
    r = diff_proportions_ci(56, 70, 48, 80)
    assert "Newcombe" in r.method
    assert sorted(a.method.split()[0] for a in r.alternatives) == ["Miettinen-Nurminen", "Wald"]


def test_welch_sleep_example() -> None:
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    r = welch_ci(statistics.mean(g1), statistics.stdev(g1), 10, statistics.mean(g2), statistics.stdev(g2), 10)
    assert r.result["t"].value == pytest.approx(-1.8608, abs=5e-5)
    assert r.result["df"].value == pytest.approx(17.776, abs=5e-4)
    assert r.result["p_value"].value == pytest.approx(0.07939, abs=5e-6)
    assert r.result["lower"].value == pytest.approx(-3.3654832, abs=1e-6)
    assert r.result["upper"].value == pytest.approx(0.2054832, abs=1e-6)


def test_binom_test_example() -> None:
    r = binomial_exact(682, 925, p0=0.75)
    assert r.result["p_value"].value == pytest.approx(0.3825, abs=5e-5)
    assert r.result["lower"].value == pytest.approx(0.7076683, abs=1e-7)
    assert r.result["upper"].value == pytest.approx(0.7654066, abs=1e-7)


def test_ratio_of_means_delta_method_by_simulation() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    r = ratio_of_means_ci(10.5, 4, 2000, 10, 4, 2000)
    se = (r.result["upper"].value - r.result["ratio"].value) / 1.959964
    sims = rng.normal(10.5, 4 / math.sqrt(2000), 20000) / rng.normal(10, 4 / math.sqrt(2000), 20000)
    assert se == pytest.approx(float(np.std(sims)), rel=0.05)
    assert r.result["lift"].value == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("args", "field"),
    [((11, 10, 3, 10), "x1"), ((1, 10, 3, 0), "n2"), ((-1, 10, 3, 10), "x1"), ((1, 10, 30, 10), "x2")],
)
def test_counts_larger_than_totals(args: tuple, field: str) -> None:
    with pytest.raises(BadInput) as exc:
        diff_proportions_ci(*args)
    assert exc.value.field == field


def test_welch_needs_two_observations() -> None:
    with pytest.raises(BadInput) as exc:
        welch_ci(1, 1, 1, 2, 1, 10)
    assert exc.value.field == "n1" and "at least 2" in exc.value.message


@settings(max_examples=50, deadline=None)
@given(
    n1=st.integers(1, 200),
    n2=st.integers(1, 200),
    f1=st.floats(0, 1),
    f2=st.floats(0, 1),
    method=st.sampled_from(["newcombe", "wald", "mn"]),
)
def test_intervals_contain_the_estimate(n1: int, n2: int, f1: float, f2: float, method: str) -> None:
    x1, x2 = round(f1 * n1), round(f2 * n2)
    r = diff_proportions_ci(x1, n1, x2, n2, method=method).result
    d = x1 / n1 - x2 / n2
    assert r["lower"].value - 1e-9 <= d <= r["upper"].value + 1e-9
    if method != "wald":
        assert -1 <= r["lower"].value <= r["upper"].value <= 1
