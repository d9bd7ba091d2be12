"""The CSV analyser on generated data with known truths."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from loopprep.errors import InvalidInput
from loopprep.services.stats_analysis import analyse_csv, did_from_csv

_spec = importlib.util.spec_from_file_location(
    "stats_experiment_data", Path(__file__).parents[1] / "fixtures" / "stats" / "experiment_data.py"
)
assert _spec and _spec.loader
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)


def _effect(ans, metric: str):  # noqa: ANN001, ANN202
    return next(e for e in ans.report.effects if e.metric == metric)


def test_known_effects_are_found_and_cuped_narrows() -> None:
    ans = analyse_csv(data.experiment_csv(40000, seed=1, lift=0.02, revenue_lift=0.5))
    assert ans.report.srm is False
    conv, rev = _effect(ans, "converted"), _effect(ans, "revenue")
    assert conv.kind == "proportion" and rev.kind == "mean"
    assert conv.lower < 0.02 < conv.upper and conv.lower > 0
    assert rev.cuped_effect is not None and rev.cuped_lower < 0.5 < rev.cuped_upper
    assert (rev.cuped_upper - rev.cuped_lower) < 0.6 * (rev.upper - rev.lower)  # rho ~ 0.8 -> sd x 0.6
    assert rev.cuped_rho == pytest.approx(0.8, abs=0.1)
    assert conv.p_adjusted >= conv.p_value  # corrected across the two metrics
    assert {"result", "method", "alternatives", "steps", "inputs", "warnings"} <= set(ans.model_dump())


def test_planted_srm_is_reported_first() -> None:
    ans = analyse_csv(data.experiment_csv(20000, seed=2, treat_share=0.53))
    assert ans.report.srm is True
    assert ans.summary.startswith("Sample ratio mismatch")
    assert ans.warnings[0].startswith("Sample ratio mismatch")


def test_planned_split_is_respected() -> None:
    ans = analyse_csv(data.experiment_csv(20000, seed=3, treat_share=0.2), split="80,20")
    assert ans.report.srm is False


def test_simpson_reversal_warns() -> None:
    ans = analyse_csv(data.experiment_csv(20000, seed=4, lift=0.02, simpson=True), split=None)
    conv = _effect(ans, "converted")
    assert conv.effect < 0  # aggregate says treatment loses
    segs = [e for e in ans.report.segment_effects if e.metric == "converted"]
    assert len(segs) == 2 and all(e.effect > 0 for e in segs)
    assert any("Simpson's paradox on 'converted'" in w for w in ans.warnings)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"", "empty"),
        (b"unit,arm,converted\nu1,control,1\n", "No column 'variant'"),
        (b"unit,variant\nu1,control\n", "No metric columns"),
        (b"unit,variant,converted\nu1,control,1\nu2,control,0\n", "only one variant"),
        (b"unit,variant,converted\nu1,control,1\nu2,treatment,yes\n", "Row 3, column 'converted': 'yes'"),
        (b"unit,variant,converted\nu1,control,1\nu2,treatment,1,5\n", "malformed at row 3"),
        (b"unit,variant,converted\nu1,a,1\nu2,b,0\nu3,a,1\nu4,b,1\n", "control 'control' is not a variant"),
    ],
)
def test_malformed_files_name_the_problem(text: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        analyse_csv(text)
    assert words in exc.value.message


def test_did_from_panel_csv(tmp_path: Path) -> None:
    rows = ["unit,treated,post,y"]
    for u in range(20):
        t = int(u < 10)
        rows += [f"u{u},{t},0,{10 + u % 3}", f"u{u},{t},1,{11 + u % 3 + 2 * t}"]
    p = tmp_path / "panel.csv"
    p.write_text("\n".join(rows) + "\n")
    ans = did_from_csv(p)
    assert ans.result["did"].value == pytest.approx(2.0)
