"""Every ``--json`` output is a public contract: its shape (keys and value types, see
``tests/shapes.py``) is pinned by a snapshot, made against a fixture whose plan starts next
Monday so no date or id changes it.  A new command with ``--json`` fails until it has a run here.
After an intended change: ``pytest tests/cli/test_json_shapes.py --snapshot-update``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from syrupy.extensions.json import JSONSnapshotExtension

from loopprep.cli.root import app as typer_app
from loopprep.settings import Settings
from tests.cli.conftest import Cli
from tests.fixtures.stats.experiment_data import experiment_csv
from tests.shapes import shape

TODAY = dt.date.today()
# The plan starts next Monday, so its weeks (and so the shapes of its days and tasks) are the
# same whatever day the test runs; today is always before it.
START = TODAY + dt.timedelta(days=7 - TODAY.weekday())
LOOP = START + dt.timedelta(days=27)

# (label, command words, arguments, GET path of the matching /api endpoint or None).  Runs in
# this order against one database.  ``{dir}`` is a scratch directory, ``{key}`` a task of the plan.
RUNS: list[tuple[str, str, list[str], str | None]] = [
    (
        "profile-set",
        "profile set",
        ["--role", "ml-engineer", "--level", "l5", "-c", "faang", "--loop-date", str(LOOP)],
        None,
    ),
    ("profile-show", "profile show", [], "/api/profile"),
    ("dashboard-no-plan", "dashboard", [], "/api/dashboard"),
    ("plan-create", "plan create", ["--start", str(START)], None),
    ("plan-show", "plan show", [], "/api/plan"),
    ("plan-today", "plan today", [], "/api/plan/today"),
    ("plan-done", "plan done", ["{key}"], None),
    ("plan-skip", "plan skip", ["{key}"], None),
    ("plan-undo", "plan undo", ["{key}"], None),
    ("plan-replan", "plan replan", ["--weekday-minutes", "60"], None),
    ("plan-ics", "plan ics", ["{dir}/plan.ics"], None),
    ("dashboard", "dashboard", [], "/api/dashboard"),
    ("rounds", "rounds", [], "/api/rounds"),
    ("round", "rounds", ["ml-system-design"], "/api/rounds/ml-system-design"),
    ("bar", "bar", [], "/api/bar"),
    ("companies", "companies", [], "/api/companies"),
    ("roles", "roles", [], "/api/roles"),
    ("frameworks", "frameworks", [], "/api/frameworks"),
    ("framework", "frameworks", ["five-phases"], "/api/frameworks/five-phases"),
    ("search", "search", ["kv cache"], "/api/search?q=kv+cache"),
    ("settings", "settings", [], None),
    ("content-check", "content check", [], None),
    ("estimate-models", "estimate models", [], None),
    ("estimate-gpus-list", "estimate gpus-list", [], None),
    ("estimate-check", "estimate check", [], "/api/estimate/check"),
    ("estimate-drill", "estimate drill", ["--kind", "gpus", "--seed", "2", "--answer", "8"], None),
    ("estimate-history", "estimate history", [], "/api/estimate/drills/history"),
    *[
        (f"estimate-{c}", f"estimate {c}", [], f"/api/estimate/{c}")
        for c in (
            "qps",
            "inflight",
            "gpus",
            "weights",
            "kv",
            "kv-budget",
            "roofline",
            "train",
            "index",
            "storage",
            "cost",
        )
    ],
    ("stats-sample-size", "stats sample-size", ["--baseline", "0.2", "--target", "0.25"], None),
    ("stats-power", "stats power", ["--n", "500", "--baseline", "0.1", "--relative", "0.2"], None),
    ("stats-mde", "stats mde", ["--n", "5000", "--baseline", "0.1"], None),
    ("stats-ci", "stats ci", ["--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--method", "mn"], None),
    ("stats-srm", "stats srm", ["--counts", "50000,51000"], None),
    ("stats-adjust", "stats adjust", ["--pvalues", "0.01,0.02,0.3", "--method", "bh"], None),
    ("stats-cuped", "stats cuped", ["--rho", "0.5", "--n", "1000"], None),
    (
        "stats-did",
        "stats did",
        ["--treat-pre", "20.44", "--treat-post", "21.03", "--control-pre", "23.33", "--control-post", "21.17"],
        None,
    ),
    ("stats-peeking", "stats peeking", ["--simulations", "200", "--days", "7"], None),
    ("stats-analyze", "stats analyze", ["{dir}/exp.csv"], None),
    ("stats-cases", "stats cases", [], "/api/stats/cases"),
    ("stats-case", "stats cases", ["cuped-revenue"], "/api/stats/cases/cuped-revenue"),
    ("stats-attempt", "stats attempt", ["cuped-revenue", "--checked", "0,1"], None),
    ("code-list", "code list", [], "/api/code/problems"),
    ("code-show", "code show", ["stable-softmax"], "/api/code/problems/stable-softmax"),
    ("code-start", "code start", ["stable-softmax", "{dir}/work"], None),
    ("code-run", "code run", ["stable-softmax", "{dir}/ref.py"], None),
    ("code-submit", "code submit", ["stable-softmax", "{dir}/ref.py"], None),
    ("code-history", "code history", [], None),
    ("code-history-problem", "code history", ["stable-softmax"], None),
    ("code-check", "code check", ["{dir}/problems"], None),
    # /api/code/protections lists no layers until this worker's judge has started; the CLI starts one.
    ("code-protections", "code protections", [], None),
    ("code-replay", "code replay", ["{attempt}"], None),
]


# Free-form values: a coding problem's test-case inputs and outputs (any JSON the problem uses).
FREE = frozenset({"args", "kwargs", "expected", "got"})


def json_commands() -> set[str]:
    """Every command of the Typer app (lazy groups included) that takes ``--json``."""
    found: set[str] = set()

    def walk(cmd: Any, path: list[str], parent: Any) -> None:
        ctx = typer.Context(cmd, parent=parent, info_name=path[-1] if path else "loopprep")
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name], ctx)
        elif any("--json" in getattr(p, "opts", ()) for p in cmd.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(typer_app), [], None)
    return found


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, bank: Any
) -> Iterator[dict[str, tuple[Any, Any]]]:
    """label -> (shape of the CLI's JSON, shape of the matching /api answer or None)."""
    from loopprep.content.paths import PROBLEMS_DIR
    from loopprep.services.context import open_context
    from loopprep.web.app import create_app

    scratch = tmp_path_factory.mktemp("json-shapes")
    data_dir = scratch / "data"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "loopprep.db")
    settings = Settings(data_dir=data_dir)
    (scratch / "exp.csv").write_bytes(experiment_csv(2000, seed=2))
    (scratch / "ref.py").write_text(bank.coding.problems["stable-softmax"].reference)
    (scratch / "problems").mkdir()
    shutil.copy(PROBLEMS_DIR / "stable-softmax.yaml", scratch / "problems")
    # a mistake only a random case catches (argpartition settles a tie arbitrarily), for `code replay`
    (scratch / "knn.py").write_text(bank.coding.problems["knn-predict"].mutants[4].source)
    cli = Cli(settings)
    wrong = cli("code", "submit", "knn-predict", str(scratch / "knn.py"), "--json", "--no-perf")
    assert wrong.exit_code == 1, wrong.output
    attempt = json.loads(wrong.stdout)["id"]
    ctx = open_context(settings, bank=bank)
    out: dict[str, tuple[Any, Any]] = {}
    key = ""
    with TestClient(create_app(settings, context=ctx), base_url="http://127.0.0.1:8000") as client:
        for label, words, args, api in RUNS:
            argv = [a.format(dir=scratch, key=key, attempt=attempt) for a in args]
            doc = cli.json(*words.split(), *argv)
            if label == "plan-show":
                key = doc["days"][0]["tasks"][0]["key"]
            api_shape = None
            if api is not None:
                answer = client.get(api)
                assert answer.status_code == 200, (api, answer.text)
                api_shape = shape(answer.json(), free=FREE)
            out[label] = (shape(doc, free=FREE), api_shape)
    ctx.engine.dispose()
    yield out


def test_every_json_command_has_a_snapshot() -> None:
    missing = json_commands() - {words for _, words, _, _ in RUNS}
    assert not missing, f"add a run of {sorted(missing)} to RUNS in {Path(__file__).name}"


@pytest.mark.parametrize("label", [label for label, *_ in RUNS])
def test_json_shape(label: str, outputs: dict[str, tuple[Any, Any]], snapshot: Any) -> None:
    assert outputs[label][0] == snapshot(extension_class=JSONSnapshotExtension)


@pytest.mark.parametrize("label", [label for label, _, _, api in RUNS if api])
def test_cli_and_api_share_the_shape(label: str, outputs: dict[str, tuple[Any, Any]]) -> None:
    cli_shape, api_shape = outputs[label]
    assert cli_shape == api_shape


def test_shape_ignores_values_and_order() -> None:
    a = {"b": [{"x": 1, "y": None}, {"x": 2, "y": "s"}], "a": "2026-01-01"}
    b = {"a": "2027-12-31", "b": [{"x": 9, "y": "t"}]}
    assert shape(a) == {"a": "str", "b": [{"x": "number", "y": "null|str"}]}
    assert shape(b) == {"a": "str", "b": [{"x": "number", "y": "str"}]}
    assert shape(json.loads('{"gone": 1}')) != shape({"renamed": 1})
    mixed = [{"v": [1.5]}, {"v": 2}, {"v": None}, {"v": {"k": 1}}]
    assert shape(mixed) == [{"v": {"one of": ["null|number", ["number"], {"k": "number"}]}}]
    assert shape({"args": [[1, 2]], "n": 1}, free=frozenset({"args"})) == {"args": "any", "n": "number"}
