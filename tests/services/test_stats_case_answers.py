"""Every stats case's expected answers, recomputed from the case's inputs with scipy and
statsmodels directly (not loopprep's calculators), and the case text checked against the inputs
it claims to describe."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep

from loopprep.content.loader import load_bank
from loopprep.content.schema.stats_cases import NumericQuestion
from loopprep.services.stats_cases import expected_answer, submit_attempt

BANK = load_bank().stats_cases
QUESTIONS = [(c.id, q) for c in BANK.cases.values() for q in c.numeric]
Z = stats.norm.ppf


def _floats(text: Any) -> list[float]:
    return [float(t) for t in str(text).split(",")]


def _adjust(i: dict[str, Any], answer: str) -> float:
    method = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni"}[str(i["method"])]
    reject, adjusted, _, _ = multipletests(_floats(i["pvalues"]), alpha=float(i.get("alpha", 0.05)), method=method)
    if answer == "rejected":
        return float(reject.sum())
    return float(adjusted[int(answer.removeprefix("adjusted_test_")) - 1])


def _pooled_n(p1: float, p2: float, k: float) -> int:
    """Control users for two proportions (Fleiss; R's power.prop.test for k = 1), k = treatment / control."""
    pbar = (p1 + k * p2) / (1 + k)
    s0 = math.sqrt(pbar * (1 - pbar) * (1 + 1 / k))
    s1 = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / k)
    return math.ceil(((Z(0.975) * s0 + Z(0.8) * s1) / (p2 - p1)) ** 2)


def _sample_size(i: dict[str, Any], answer: str) -> float:
    if i.get("metric") == "mean":
        n = TTestIndPower().solve_power(effect_size=float(i["effect"]) / float(i["sd"]), alpha=0.05, power=0.8)
        return float(math.ceil(n))
    p1 = float(i["baseline"])
    p2 = float(i["target"]) if "target" in i else p1 * (1 + float(i["relative"]))
    k = float(i.get("ratio", 1.0))
    if i.get("method") == "arcsine":
        h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
        n1 = math.ceil(NormalIndPower().solve_power(effect_size=abs(h), alpha=0.05, power=0.8, ratio=k))
    else:
        n1 = _pooled_n(p1, p2, k)
    return float({"n_control": n1, "n_total": n1 + math.ceil(k * n1)}[answer])


def _power(i: dict[str, Any], answer: str) -> float:
    assert answer == "power"
    d = float(i["effect"]) / float(i["sd"])
    return float(TTestIndPower().power(effect_size=d, nobs1=float(i["n"]), alpha=0.05))


def _mde(i: dict[str, Any], answer: str) -> float:
    assert answer == "mde"
    d = TTestIndPower().solve_power(nobs1=float(i["n"]), alpha=0.05, power=0.8)
    return float(d) * float(i["sd"])


def _ci(i: dict[str, Any], answer: str) -> float:
    kind = i["kind"]
    if kind == "binomial":
        # Minimum-likelihood two-sided p (what the case states), not the doubled tail.
        return float(stats.binomtest(int(i["x"]), int(i["n"]), float(i["p0"])).pvalue)
    if kind == "diff-proportions":
        lo, hi = confint_proportions_2indep(
            int(i["x1"]), int(i["n1"]), int(i["x2"]), int(i["n2"]), method="newcomb", compare="diff"
        )
        return float({"lower": lo, "upper": hi}[answer])
    assert kind == "ratio"
    m1, s1, n1, m2, s2, n2 = (float(i[k]) for k in ("mean1", "sd1", "n1", "mean2", "sd2", "n2"))
    r = m1 / m2
    se = r * math.sqrt(s1**2 / (n1 * m1**2) + s2**2 / (n2 * m2**2))
    return {"lift_lower": r - Z(0.975) * se - 1, "lift_upper": r + Z(0.975) * se - 1}[answer]


def _srm(i: dict[str, Any], answer: str) -> float:
    counts = np.array(_floats(i["counts"]))
    split = np.array(_floats(i["split"]))
    return float(stats.chisquare(counts, counts.sum() * split / split.sum()).pvalue)


def _cuped(i: dict[str, Any], answer: str) -> float:
    return float(i["n"]) * (1 - float(i["rho"]) ** 2)


def _did(i: dict[str, Any], answer: str) -> float:
    return (float(i["treat_post"]) - float(i["treat_pre"])) - (float(i["control_post"]) - float(i["control_pre"]))


def _peeking(i: dict[str, Any], answer: str) -> float:
    """An independent simulation of the A/A test with a look each day (pooled two-proportion z)."""
    rng = np.random.default_rng(12345)
    sims, days, per_day, p = 20000, int(i["days"]), int(i["users_per_day"]), float(i["baseline"])
    a = rng.binomial(per_day, p, size=(sims, days)).cumsum(axis=1)
    b = rng.binomial(per_day, p, size=(sims, days)).cumsum(axis=1)
    n = per_day * np.arange(1, days + 1)
    pooled = (a + b) / (2 * n)
    z = (a - b) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    return float((np.abs(z) > Z(1 - float(i["alpha"]) / 2)).any(axis=1).mean())


RECOMPUTE: dict[str, Callable[[dict[str, Any], str], float]] = {
    "adjust": _adjust,
    "sample-size": _sample_size,
    "power": _power,
    "mde": _mde,
    "ci": _ci,
    "srm": _srm,
    "cuped": _cuped,
    "did": _did,
    "peeking": _peeking,
}


@pytest.mark.parametrize(("case_id", "question"), QUESTIONS, ids=[f"{c}/{q.id}" for c, q in QUESTIONS])
def test_expected_answer_recomputed_from_inputs(case_id: str, question: NumericQuestion) -> None:
    value, _, _ = expected_answer(question)
    independent = RECOMPUTE[question.calculator](dict(question.inputs), question.answer)
    if question.calculator == "peeking":  # two different simulations: agree to a couple of points
        assert abs(value - independent) < 0.03, (case_id, value, independent)
    elif question.tolerance == 0:
        assert value == independent, (case_id, value, independent)
    else:
        assert value == pytest.approx(independent, rel=1e-3, abs=1e-9), (case_id, value, independent)


def _numbers(text: str) -> list[float]:
    """The numbers a text names, in order ('101,300' is one number; 'three of 1.0' is three)."""
    words = {"two": 2, "three": 3, "four": 4}
    text = re.sub(r"\b(two|three|four) of (\d+(?:\.\d+)?)", lambda m: ", ".join([m[2]] * words[m[1]]), text)
    return [float(t.replace(",", "")) for t in re.findall(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize(
    ("case_id", "question"),
    [(c, q) for c, q in QUESTIONS if q.calculator in ("adjust", "srm")],
    ids=[f"{c}/{q.id}" for c, q in QUESTIONS if q.calculator in ("adjust", "srm")],
)
def test_lists_in_the_question_text_are_the_inputs(case_id: str, question: NumericQuestion) -> None:
    """The values a question lists are exactly the calculator's list, in order (the dashboard case
    once listed 18 p-values in its text and computed with 20)."""
    key = "pvalues" if question.calculator == "adjust" else "counts"
    listed = _floats(question.inputs[key])
    named = _numbers(question.question)
    assert any(named[i : i + len(listed)] == listed for i in range(len(named))), (case_id, named, listed)


def test_twenty_metric_dashboard_has_twenty_pvalues_and_bh_gives_0_60() -> None:
    q = BANK.cases["twenty-metric-dashboard"].numeric[0]
    assert len(_floats(q.inputs["pvalues"])) == 20
    assert expected_answer(q)[0] == pytest.approx(0.60)


def test_exact_p_states_its_convention_and_the_calculator_says_it() -> None:
    q = BANK.cases["small-enterprise-pilot"].numeric[0]
    assert "minimum-likelihood" in q.question
    value, _, method = expected_answer(q)
    assert value == pytest.approx(0.005223, rel=1e-3)
    assert "minimum likelihood" in method
    doubled = 2 * stats.binom.sf(17, 20, 0.6)
    assert doubled == pytest.approx(0.007223, rel=1e-3)


def test_the_ratio_case_asks_about_the_ratio_of_arm_means_it_computes() -> None:
    case = BANK.cases["ctr-ratio-metric"]
    q = case.numeric[0]
    assert q.inputs["kind"] == "ratio" and "ratio of the two arm means" in q.question
    assert any("ratio of the two arm means" in c.text for c in case.checklist)
    _, _, method = expected_answer(q)
    assert "ratio of independent means" in method


def test_a_case_grades_against_the_computed_answer_not_a_typed_one(ctx) -> None:  # noqa: ANN001
    import datetime as dt

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    res = submit_attempt(
        ctx, "twenty-metric-dashboard", answer="", checked=[], numeric={"bh-adjusted": "0.54"}, now=now
    )
    assert not res.graded[0].correct and res.graded[0].expected == pytest.approx(0.6)
    res = submit_attempt(ctx, "twenty-metric-dashboard", answer="", checked=[], numeric={"bh-adjusted": "0.6"}, now=now)
    assert res.graded[0].correct
