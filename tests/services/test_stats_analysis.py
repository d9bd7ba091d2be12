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


# ---- silent nonsense becomes an error or a warning (issue 13, item 9) ---------------------------


def test_overflowing_metric_is_an_error_not_a_nan_effect() -> None:
    rows = ["unit,variant,revenue"] + [
        f"u{i},{'control' if i % 2 else 'treatment'},{1e200 * (i % 3)}" for i in range(40)
    ]
    with pytest.raises(InvalidInput) as err:
        analyse_csv("\n".join(rows).encode())
    assert "too large" in err.value.message


def test_all_rows_sharing_one_unit_id_is_refused() -> None:
    rows = ["unit,variant,converted"] + [f"same,{'control' if i % 2 else 'treatment'},{i % 2}" for i in range(40)]
    with pytest.raises(InvalidInput) as err:
        analyse_csv("\n".join(rows).encode())
    assert err.value.field == "unit_col" and "same unit id" in err.value.message


def test_units_in_both_arms_and_repeated_units_are_warned() -> None:
    rows = ["unit,variant,converted"]
    rows += [f"u{i},{'control' if i % 2 else 'treatment'},{i % 3 == 0:d}" for i in range(200)]
    rows += [f"u{i},{'treatment' if i % 2 else 'control'},1" for i in range(10)]  # 10 units switch arms
    ans = analyse_csv("\n".join(rows).encode())
    assert any("10 unit(s) appear in more than one variant" in w for w in ans.warnings)
    assert any("10 row(s) repeat a unit id" in w for w in ans.warnings)
    clean = analyse_csv("\n".join(rows[:201]).encode())
    assert not any("unit" in w for w in clean.warnings)


def test_rows_shifted_by_one_field_are_refused() -> None:
    # One field more than the header: pandas took the first field as the index, and every value
    # landed under the wrong column.
    rows = ["unit,variant,converted"] + [f"u{i},{'control' if i % 2 else 'treatment'},{i % 2},7" for i in range(40)]
    with pytest.raises(InvalidInput) as err:
        analyse_csv("\n".join(rows).encode())
    assert "Row 2 has 4 fields but the header has 3 columns" in err.value.message
    panel = ["unit,treated,post,y"] + [f"u{i},{i % 2},{i // 2 % 2},{i}.5,9" for i in range(40)]
    with pytest.raises(InvalidInput) as err:
        did_from_csv("\n".join(panel).encode())
    assert err.value.field == "panel" and "header has 4 columns" in err.value.message


def _panel(units: int, *, mixed: int = 0) -> bytes:
    rows = ["unit,treated,post,y"]
    for u in range(units):
        for post in (0, 1):
            treated = u % 2 if u >= mixed else post  # the first `mixed` units switch groups
            rows.append(f"u{u},{treated},{post},{u % 7 + 2 * post + 3 * treated * post}")
    return "\n".join(rows).encode()


def test_did_panel_is_read_in_chunks_with_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import loopprep.services.stats_analysis as sa

    whole = did_from_csv(_panel(300))
    monkeypatch.setattr(sa, "CHUNK_ROWS", 7)
    chunked = did_from_csv(_panel(300))
    assert chunked.result["did"].value == pytest.approx(whole.result["did"].value)
    assert chunked.result["se"].value == pytest.approx(whole.result["se"].value)
    assert chunked.result["units"].value == 300
    monkeypatch.setattr(sa, "MAX_PANEL_ROWS", 500)
    with pytest.raises(InvalidInput) as err:
        did_from_csv(_panel(300))
    assert "more than 500 rows" in err.value.message


def test_did_warns_about_units_in_both_groups() -> None:
    ans = did_from_csv(_panel(60, mixed=4))
    assert any("4 unit(s) are treated in some rows and control in others" in w for w in ans.warnings)
    assert not any("control in others" in w for w in did_from_csv(_panel(60)).warnings)


def _plain_segments_csv(n: int = 4000, *, levels: int = 3, seed: int = 5) -> bytes:
    """unit,variant,device,country,converted,city: plain text columns, ``city`` with ``levels``
    distinct values."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lines = ["unit,variant,device,country,converted,city"]
    for i in range(n):
        arm = "treatment" if i % 2 else "control"
        conv = int(rng.random() < (0.12 if arm == "treatment" else 0.10))
        lines.append(f"u{i},{arm},{('ios', 'android', 'web')[i % 3]},{('DE', 'FR')[i // 2 % 2]},{conv},c{i % levels}")
    return ("\n".join(lines) + "\n").encode()


def test_plain_text_columns_are_segments_and_the_result_says_so() -> None:
    # A file with a plain `device` column used to be refused ("'ios' is not a number").
    ans = analyse_csv(_plain_segments_csv())
    r = ans.report
    assert [e.metric for e in r.effects] == ["converted"]
    assert r.segments == ["device", "country", "city"] and r.segments_ignored == []
    assert {(e.segment, e.segment_value) for e in r.segment_effects} >= {("device", "ios"), ("country", "FR")}
    step = next(s for s in ans.steps if s.label == "segments")
    assert "text column" in step.formula and "device, country, city" in step.formula


def test_a_column_with_more_than_fifty_values_is_ignored_with_a_warning() -> None:
    kept = analyse_csv(_plain_segments_csv(levels=50))
    assert "city" in kept.report.segments
    ans = analyse_csv(_plain_segments_csv(levels=51))
    assert ans.report.segments == ["device", "country"] and ans.report.segments_ignored == ["city"]
    assert not any(e.segment == "city" for e in ans.report.segment_effects)
    assert any("Column 'city' has more than 50 distinct values" in w for w in ans.warnings)


def test_levels_are_counted_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import loopprep.services.stats_analysis as sa

    monkeypatch.setattr(sa, "CHUNK_ROWS", 30)  # each chunk holds 30 of the 51 values; the file 51
    ans = analyse_csv(_plain_segments_csv(levels=51))
    assert ans.report.segments_ignored == ["city"]
    assert not any(e.segment == "city" for e in ans.report.segment_effects)


def test_segment_prefix_still_marks_a_numeric_column_as_a_segment() -> None:
    text = _plain_segments_csv().decode().replace("device,country", "device,segment_cohort")
    rows = text.splitlines()
    rows[1:] = [",".join([*r.split(",")[:3], str(i % 4), *r.split(",")[4:]]) for i, r in enumerate(rows[1:])]
    ans = analyse_csv(("\n".join(rows) + "\n").encode())
    assert "segment_cohort" in ans.report.segments
    assert [e.metric for e in ans.report.effects] == ["converted"]


def test_a_file_of_only_text_columns_names_them() -> None:
    with pytest.raises(InvalidInput) as exc:
        analyse_csv(b"unit,variant,device\nu1,control,ios\nu2,treatment,web\n")
    assert "No metric columns (device holds text, so it is read as a segment)" in exc.value.message
