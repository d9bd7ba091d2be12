"""Power, sample size and MDE against published figures.

References:
- R ``power.prop.test`` help page examples (stats package): p1 = .50, p2 = .75, power = .90
  gives n = 76.7 per group; n = 50 gives power = 0.7401659.
- R ``power.t.test`` help page examples: n = 20, delta = 1 gives power = 0.8689528;
  power = .90, delta = 1 gives n = 22.02110; one-sided gives n = 17.84713.
- The issue's worked comparison (20 % -> 25 %, alpha 0.05, power 0.8): pooled 1,094 (R),
  arcsine 1,092 (G*Power / Cohen's h), Evan Miller's calculator 1,031 per arm.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopprep.engines.stats.means import means_mde, means_power, means_sample_size
from loopprep.engines.stats.power import (
    proportions_mde,
    proportions_power,
    proportions_sample_size,
)
from loopprep.engines.stats.result import BadInput


@pytest.mark.parametrize(("method", "n"), [("pooled", 1094), ("arcsine", 1092), ("baseline", 1031)])
def test_twenty_to_twenty_five_percent(method: str, n: int) -> None:
    r = proportions_sample_size(0.2, target=0.25, alpha=0.05, power=0.8, method=method)
    assert r.result["n_control"].value == n
    assert r.result["n_treatment"].value == n
    assert len(r.alternatives) == 2
    assert {a.result["n_control"].value for a in r.alternatives} == {1094, 1092, 1031} - {n}


def test_alternatives_named_and_boundary_twofold() -> None:
    pooled = proportions_sample_size(0.9, target=1.0)
    arcsine = proportions_sample_size(0.9, target=1.0, method="arcsine")
    assert pooled.result["n_control"].value >= 1.8 * arcsine.result["n_control"].value
    assert any("near 0 or 1" in w for w in pooled.warnings)


def test_r_power_prop_test_examples() -> None:
    assert proportions_sample_size(0.5, target=0.75, power=0.9).result["n_control_exact"].value == pytest.approx(
        76.7, abs=0.05
    )
    assert proportions_power(0.5, target=0.75, n=50).result["power"].value == pytest.approx(0.7401659, abs=1e-7)


def test_arcsine_matches_statsmodels() -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(0.25, 0.2)
    sm = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=2)
    ours = proportions_sample_size(0.2, target=0.25, ratio=2, method="arcsine").result["n_control_exact"].value
    assert ours == pytest.approx(sm, rel=1e-4)


def test_relative_lift_and_unequal_allocation() -> None:
    r = proportions_sample_size(0.2, relative=0.25)
    assert r.result["n_control"].value == 1094
    r2 = proportions_sample_size(0.2, target=0.25, ratio=2)
    assert r2.result["n_treatment"].value == pytest.approx(2 * r2.result["n_control"].value, abs=1)
    assert r2.result["n_total"].value > 2 * 1094  # unequal allocation costs users overall


def test_mde_inverts_sample_size() -> None:
    r = proportions_mde(0.2, n=1094)
    assert r.result["target_up"].value == pytest.approx(0.25, abs=2e-4)
    assert r.result["mde_relative_up"].value == pytest.approx(0.25, abs=1e-3)
    assert r.result["mde_absolute_down"].value < 0


def test_one_sided_needs_fewer() -> None:
    two = proportions_sample_size(0.2, target=0.25).result["n_control"].value
    one = proportions_sample_size(0.2, target=0.25, sided=1).result["n_control"].value
    assert one < two


def test_r_power_t_test_examples() -> None:
    assert means_power(n=20, d=1).result["power"].value == pytest.approx(0.8689528, abs=1e-6)
    assert means_sample_size(effect=1, sd=1, power=0.9).result["n_control_exact"].value == pytest.approx(
        22.02110, abs=1e-4
    )
    assert means_sample_size(d=1, power=0.9, sided=1).result["n_control_exact"].value == pytest.approx(
        17.84713, abs=1e-4
    )


def test_one_sample_and_mde_roundtrip() -> None:
    n = means_sample_size(d=0.5, one_sample=True).result["n_exact"].value
    assert means_mde(n=n, one_sample=True).result["mde_d"].value == pytest.approx(0.5, abs=1e-6)
    m = means_mde(n=64, sd=10)
    assert m.result["mde"].value == pytest.approx(10 * m.result["mde_d"].value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"baseline": 1.2, "target": 0.5}, "baseline"),
        ({"baseline": 0.2, "target": -0.1}, "target"),
        ({"baseline": 0.2, "target": 0.2}, "target"),
        ({"baseline": 0.2, "target": 0.25, "alpha": 0}, "alpha"),
        ({"baseline": 0.2, "target": 0.25, "power": 1}, "power"),
        ({"baseline": 0.2, "target": 0.25, "alpha": 0.5, "power": 0.4}, "power"),
        ({"baseline": 0.0, "relative": 0.1}, "relative"),
        ({"baseline": 0.2}, "target"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict, field: str) -> None:
    baseline = kwargs.pop("baseline")
    with pytest.raises(BadInput) as exc:
        proportions_sample_size(baseline, **kwargs)
    assert exc.value.field == field
    assert field in exc.value.message


def test_boundary_targets_are_legitimate() -> None:
    assert proportions_sample_size(0.9, target=1.0).result["n_control"].value > 0
    assert proportions_sample_size(0.05, target=0.0, method="baseline").result["n_control"].value > 0


@settings(max_examples=60, deadline=None)
@given(
    p1=st.floats(0.02, 0.9),
    d1=st.floats(0.005, 0.04),
    extra=st.floats(0.001, 0.05),
    method=st.sampled_from(["pooled", "arcsine", "baseline"]),
)
def test_sample_size_falls_as_effect_grows(p1: float, d1: float, extra: float, method: str) -> None:
    small = proportions_sample_size(p1, target=p1 + d1, method=method).result["n_control_exact"].value
    big = proportions_sample_size(p1, target=min(1.0, p1 + d1 + extra), method=method).result["n_control_exact"].value
    assert big < small


@settings(max_examples=60, deadline=None)
@given(p1=st.floats(0.05, 0.9), d=st.floats(0.01, 0.09), method=st.sampled_from(["pooled", "arcsine", "baseline"]))
def test_power_at_computed_n_is_the_target(p1: float, d: float, method: str) -> None:
    n = proportions_sample_size(p1, target=p1 + d, power=0.8, method=method).result["n_control_exact"].value
    pw = proportions_power(p1, target=p1 + d, n=n, method=method).result["power"].value
    assert math.isclose(pw, 0.8, abs_tol=1e-6)
