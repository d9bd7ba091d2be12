"""`loopprep stats ...`: the --json contract (snapshot), words, and bad-input messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopprep.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stats"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["stats", *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize(
    ("args", "snapshot"),
    [
        (["sample-size", "--baseline", "0.2", "--target", "0.25"], "sample_size_20_25.json"),
        (["srm", "--counts", "50000,51000"], "srm_50000_51000.json"),
        (["ci", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--method", "mn"], "ci_mn_56_70_48_80.json"),
    ],
)
def test_json_contract_snapshot(args: list[str], snapshot: str) -> None:
    code, out, _ = run(*args, "--json")
    assert code == 0
    assert json.loads(out) == json.loads((FIXTURES / snapshot).read_text())


def test_every_calculator_has_the_contract_keys() -> None:
    cases = [
        ["sample-size", "--metric", "mean", "--effect", "1", "--sd", "4"],
        ["power", "--n", "500", "--baseline", "0.1", "--relative", "0.2"],
        ["mde", "--n", "5000", "--baseline", "0.1"],
        ["ci", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--method", "mn"],
        ["ci", "--kind", "binomial", "--x", "682", "--n", "925", "--p0", "0.75"],
        [
            "ci",
            "--kind",
            "welch",
            "--mean1",
            "1",
            "--sd1",
            "2",
            "--n1",
            "30",
            "--mean2",
            "2",
            "--sd2",
            "2",
            "--n2",
            "30",
        ],
        [
            "ci",
            "--kind",
            "ratio",
            "--mean1",
            "11",
            "--sd1",
            "2",
            "--n1",
            "30",
            "--mean2",
            "10",
            "--sd2",
            "2",
            "--n2",
            "30",
        ],
        ["adjust", "--pvalues", "0.01,0.02,0.3", "--method", "bh"],
        ["cuped", "--rho", "0.5", "--n", "1000"],
        ["did", "--treat-pre", "20.44", "--treat-post", "21.03", "--control-pre", "23.33", "--control-post", "21.17"],
        ["peeking", "--simulations", "500", "--days", "7"],
    ]
    for args in cases:
        code, out, err = run(*args, "--json")
        assert code == 0, (args, err)
        doc = json.loads(out)
        assert {"result", "method", "alternatives", "steps", "inputs", "warnings"} <= set(doc), args
        for v in doc["result"].values():
            assert set(v) == {"value", "unit"}


def test_human_output_names_method_and_alternatives() -> None:
    code, out, _ = run("sample-size", "--baseline", "0.2", "--target", "0.25")
    assert code == 0
    assert "1,094" in out and "Cohen's h" in out and "Evan Miller" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["sample-size", "--baseline", "1.2", "--target", "0.3"], "baseline must be between 0 and 1"),
        (["sample-size", "--baseline", "0.2", "--target", "0.2"], "target must differ"),
        (
            ["sample-size", "--baseline", "0.2", "--target", "0.3", "--power", "0.04"],
            "power (0.04) must be above alpha",
        ),
        (["sample-size", "--baseline", "0", "--relative", "0.1"], "relative effect needs a baseline above 0"),
        (["ci", "--x1", "80", "--n1", "70", "--x2", "48", "--n2", "80"], "x1 (80) cannot be larger than n1 (70)"),
        (
            [
                "ci",
                "--kind",
                "welch",
                "--mean1",
                "1",
                "--sd1",
                "1",
                "--n1",
                "1",
                "--mean2",
                "1",
                "--sd2",
                "1",
                "--n2",
                "5",
            ],
            "n1 must be a whole number of at least 2",
        ),
        (["srm", "--counts", "5000,abc"], "counts must be numbers separated by commas"),
        (["sample-size", "--baseline", "0.2", "--target", "0.3", "--method", "magic"], "method"),
        # Inputs that used to print a traceback (issue 13, item 9).
        (["peeking", "--seed", "-1"], "seed must be between 0 and 4,294,967,295"),
        (["peeking", "--users-per-day", "1" + "0" * 23], "users_per_day must be between 10 and"),
        (["ci", "--kind", "binomial", "--x", "5", "--n", "1e20"], "n must be between 0 and"),
        (["mde", "--baseline", "0.1", "--n", "1e18"], "n must be between 2 and"),
        (["srm", "--counts", "1e308,1e308"], "counts must all be between 0 and"),
    ],
)
def test_bad_input_exit_1_with_field(args: list[str], words: str) -> None:
    code, out, err = run(*args)
    assert code == 1
    assert err.startswith("Error:")
    assert words in err
    assert "Traceback" not in err + out


def _data():  # noqa: ANN202
    import importlib.util

    spec = importlib.util.spec_from_file_location("stats_experiment_data", FIXTURES / "experiment_data.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_analyze_a_file(tmp_path: Path) -> None:
    f = tmp_path / "exp.csv"
    f.write_bytes(_data().experiment_csv(20000, seed=2, treat_share=0.53))
    code, out, _ = run("analyze", str(f), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["result"]["srm"]["value"] is True and doc["report"]["rows"] == 20000
    code, out, _ = run("analyze", str(f))
    assert code == 0 and "Sample ratio mismatch" in out and "Effects" in out


def test_analyze_reads_plain_text_columns_as_segments(tmp_path: Path) -> None:
    rows = ["unit,variant,country,converted,email"]
    rows += [
        f"u{i},{'treatment' if i % 2 else 'control'},{('DE', 'FR')[i // 2 % 2]},{int(i % 5 == 0)},e{i}"
        for i in range(400)
    ]
    f = tmp_path / "exp.csv"
    f.write_text("\n".join(rows) + "\n")
    code, out, _ = run("analyze", str(f), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["report"]["segments"] == ["country"] and doc["report"]["segments_ignored"] == ["email"]
    code, out, _ = run("analyze", str(f))
    assert code == 0 and "Segments: country" in out and "Column 'email' has more than 50 distinct values" in out


def test_analyze_bad_files(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("unit,variant,converted\nu1,control,1\nu2,treatment,oops\n")
    code, _, err = run("analyze", str(f))
    assert code == 1 and "Row 3, column 'converted': 'oops' is not a number" in err
    code, _, err = run("analyze", str(tmp_path / "missing.csv"))
    assert code == 1 and "There is no file" in err


def test_did_from_panel_file(tmp_path: Path) -> None:
    rows = ["unit,treated,post,y"]
    for u in range(30):
        t = int(u < 15)
        rows += [f"u{u},{t},0,{5 + u % 4}", f"u{u},{t},1,{6 + u % 4 + 3 * t + (u % 3) * 0.1}"]
    f = tmp_path / "panel.csv"
    f.write_text("\n".join(rows) + "\n")
    code, out, _ = run("did", "--panel", str(f), "--json")
    assert code == 0
    doc = json.loads(out)
    assert abs(doc["result"]["did"]["value"] - 3.0) < 0.1 and doc["result"]["se"]["value"] > 0
