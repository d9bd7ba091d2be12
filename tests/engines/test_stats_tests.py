"""SRM, multiple testing, CUPED, diff-in-diff and peeking.

- Benjamini & Hochberg (1995), JRSS B 57:289-300, section 4.1: of 15 p-values, Bonferroni (and
  Holm) reject 3 and the FDR procedure at q = 0.05 rejects 4.
- Card & Krueger (1994), AER 84:772-793, Table 3: mean FTE employment NJ 20.44 -> 21.03,
  PA 23.33 -> 21.17; difference-in-differences 2.76 (from unrounded means).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopprep.engines.stats.adjust import adjust_pvalues, adjusted
from loopprep.engines.stats.cuped import cuped_fit, cuped_planning
from loopprep.engines.stats.did import did_2x2, did_panel
from loopprep.engines.stats.peeking import peeking_simulation
from loopprep.engines.stats.result import BadInput
from loopprep.engines.stats.srm import srm_check

BH_1995 = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.000,
]


def test_srm_two_arms_by_hand() -> None:
    r = srm_check([50000, 51000])
    chi2 = 2 * 500**2 / 50500
    assert r.result["chi_square"].value == pytest.approx(chi2)
    assert r.result["p_value"].value == pytest.approx(math.erfc(math.sqrt(chi2 / 2)), rel=1e-8)
    assert r.result["srm"].value is False  # p = 0.0017 is above the 0.001 threshold
    assert srm_check([50000, 51000], threshold=0.01).result["srm"].value is True
    assert "Sample ratio mismatch" in srm_check([50000, 52000]).summary


def test_srm_planned_split_and_k_arms() -> None:
    assert srm_check([9000, 1000], split=[90, 10]).result["p_value"].value == pytest.approx(1.0)
    assert srm_check([9000, 1000]).result["srm"].value is True
    assert srm_check([1000, 1010, 990]).result["df"].value == 2


@pytest.mark.parametrize(
    ("counts", "split", "field"),
    [([100], None, "counts"), ([10, 10], [1], "split"), ([10, -1], None, "counts"), ([10, 10], [1, 0], "split")],
)
def test_srm_bad_input(counts: list, split: list | None, field: str) -> None:
    with pytest.raises(BadInput) as exc:
        srm_check(counts, split=split)
    assert exc.value.field == field


def test_bh_1995_example() -> None:
    assert adjust_pvalues(BH_1995, method="bh").result["rejected"].value == 4
    assert adjust_pvalues(BH_1995, method="bonferroni").result["rejected"].value == 3
    assert adjust_pvalues(BH_1995, method="holm").result["rejected"].value == 3
    by = adjust_pvalues(BH_1995, method="by").result["rejected"].value
    assert by <= 4


@settings(max_examples=80, deadline=None)
@given(ps=st.lists(st.floats(0, 1), min_size=1, max_size=20), alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_rejection_orderings(ps: list[float], alpha: float) -> None:
    _, bonf = adjusted(ps, alpha=alpha, method="bonferroni")
    _, holm = adjusted(ps, alpha=alpha, method="holm")
    _, bh = adjusted(ps, alpha=alpha, method="bh")
    _, by = adjusted(ps, alpha=alpha, method="by")
    assert all(h or not b for b, h in zip(bonf, holm, strict=True))  # Holm rejects all Bonferroni rejects
    assert sum(bh) >= sum(holm)
    assert sum(by) <= sum(bh)


def test_cuped_planning() -> None:
    r = cuped_planning(0.6, n=10000)
    assert r.result["variance_factor"].value == pytest.approx(0.64)
    assert r.result["n_needed"].value == 6400
    with pytest.raises(BadInput) as exc:
        cuped_planning(1.0)
    assert exc.value.field == "rho"


def test_cuped_fit_recovers_theta() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(10, 2, 50000)
    y = 3 + 0.5 * x + rng.normal(0, 1, 50000)
    fit = cuped_fit(y, x)
    assert fit.theta == pytest.approx(0.5, abs=0.01)
    assert fit.rho == pytest.approx(1 / math.sqrt(2), abs=0.01)  # var(0.5 x) = 1 = var(noise)


def test_did_card_krueger() -> None:
    r = did_2x2(20.44, 21.03, 23.33, 21.17)
    assert r.result["did"].value == pytest.approx(2.76, abs=0.011)


def test_did_panel_recovers_effect_with_clustered_se() -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    units = np.repeat(np.arange(200), 2)
    treated = (units < 100).astype(float)
    post = np.tile([0.0, 1.0], 200)
    unit_effect = rng.normal(0, 3, 200)[units]
    y = 5 + unit_effect + 1.0 * post + 2.0 * treated * post + rng.normal(0, 1, 400)
    r = did_panel([str(u) for u in units], treated, post, y)
    assert r.result["lower"].value < 2.0 < r.result["upper"].value
    assert r.result["se"].value < 0.5
    with pytest.raises(BadInput) as exc:
        did_panel(["a", "b"], [0, 2], [0, 1], [1.0, 2.0])
    assert exc.value.field == "treated"


def test_peeking_inflates_and_msprt_is_valid() -> None:
    r = peeking_simulation(baseline=0.1, users_per_day=500, days=14, simulations=3000, seed=11)
    res = r.result
    assert res["false_positive_peeking"].value > 0.12  # several times alpha
    assert res["false_positive_fixed_horizon"].value == pytest.approx(0.05, abs=0.015)
    assert res["false_positive_msprt"].value <= 0.05 + 0.01
    again = peeking_simulation(baseline=0.1, users_per_day=500, days=14, simulations=3000, seed=11)
    assert again.result == r.result  # seeded: reproducible


@settings(max_examples=60, deadline=None)
@given(ps=st.lists(st.floats(0, 1), min_size=1, max_size=25), alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_holm_equals_statsmodels(ps: list[float], alpha: float) -> None:
    from statsmodels.stats.multitest import multipletests

    reject, padj, _, _ = multipletests(ps, alpha=alpha, method="holm")
    ours, rej = adjusted(ps, alpha=alpha, method="holm")
    assert ours == pytest.approx(list(padj), abs=1e-12)
    assert rej == [bool(x) for x in reject]


def test_peeking_bounds_its_work() -> None:
    with pytest.raises(BadInput) as exc:
        peeking_simulation(simulations=20000, days=365)
    assert exc.value.field == "simulations" and "1,000,000" in exc.value.message
