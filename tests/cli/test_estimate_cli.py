"""`loopprep estimate ...`: derivations, --json equal to the /api model, errors, the drill."""

from __future__ import annotations

import json

import pytest

from loopprep.engines.estimate.drills import make_drill
from loopprep.services import estimate as svc


@pytest.fixture
def sq_cli(sqlite_ctx):  # noqa: ANN001, ANN201
    from tests.cli.conftest import Cli

    return Cli(sqlite_ctx.settings)


def test_kv_prints_the_working_in_mb_and_mib(sq_cli) -> None:  # noqa: ANN001
    r = sq_cli("estimate", "kv", "--model", "llama-3-70b", "--tp", "2")
    assert r.exit_code == 0, r.output
    assert "2 x 80 layers x 8 KV heads x 128 head_dim x 2 bytes" in r.stdout
    assert "327,680 bytes (0.3277 MB = 0.3125 MiB)" in r.stdout
    assert "163,840 bytes" in r.stdout


@pytest.mark.parametrize("calc_id", list(svc.CALCULATORS))
def test_json_is_the_api_model(sq_cli, calc_id: str) -> None:  # noqa: ANN001
    body = sq_cli.json("estimate", calc_id)
    assert body == svc.run(None, calc_id, {}).model_dump(mode="json")


def test_options_are_the_field_names(sq_cli) -> None:  # noqa: ANN001
    body = sq_cli.json(
        "estimate",
        "kv-budget",
        "--model",
        "llama-3-70b",
        "--gpu",
        "h100-sxm",
        "--tp",
        "2",
        "--tokens-per-request",
        "2500",
        "--binary",
        "--memory-utilization",
        "1",
    )
    assert body["inputs"]["binary"] is True and body["inputs"]["memory_utilization"] == 1
    assert body["result"]["max_requests"]["value"] == 37
    decimal = sq_cli.json("estimate", "kv-budget", "--no-binary", "--memory-utilization", "1")
    assert decimal["inputs"]["binary"] is False and decimal["result"]["max_requests"]["value"] == 23
    body = sq_cli.json("estimate", "inflight", "--arrival-rate", "6944", "--latency-s", "0.5", "--latency-kind", "p99")
    assert body["result"]["in_flight"]["value"] == 3472 and "MEAN" in body["warnings"][0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["qps", "--dau", "0"], "'dau': Input should be greater than 0"),
        (["train", "--mfu", "1.5"], "'mfu'"),
        (["kv", "--model", "gpt-9"], "Known models: llama-3-8b"),
        (["kv-budget", "--gpu", "tpu"], "Known GPUs: h100-sxm"),
        (["kv-budget", "--model", "llama-3-70b", "--tp", "1"], "short by 63.8 GB"),
        (["inflight", "--latency-kind", "p42"], "'latency_kind'"),
    ],
)
def test_bad_input_is_a_clear_error(sq_cli, args: list[str], expected: str) -> None:  # noqa: ANN001
    r = sq_cli("estimate", *args)
    assert r.exit_code == 1
    assert "Error:" in r.stderr and expected in r.stderr and "Traceback" not in r.output


def test_config_json_option(sq_cli, tmp_path) -> None:  # noqa: ANN001
    from tests.services.test_estimate_service import QWEN_CONFIG

    path = tmp_path / "config.json"
    path.write_text(json.dumps(QWEN_CONFIG))
    body = sq_cli.json("estimate", "weights", "--config", str(path))
    assert body["result"]["parameters"]["value"] == 7_615_616_512
    r = sq_cli("estimate", "weights", "--config", str(tmp_path / "missing.json"))
    assert r.exit_code == 1 and "No file" in r.stderr


def test_presets_lists(sq_cli) -> None:  # noqa: ANN001
    models = sq_cli.json("estimate", "models")["models"]
    assert {m["id"] for m in models} >= {"llama-3.1-405b", "gemma-2-27b"}
    gpus = sq_cli.json("estimate", "gpus-list")
    assert any(g["id"] == "b200" for g in gpus["gpus"]) and any(d["id"] == "int4-g128" for d in gpus["dtypes"])
    r = sq_cli("estimate", "models")
    assert r.exit_code == 0 and "70.55B" in r.stdout and "huggingface.co" in r.stdout


def test_check(sq_cli) -> None:  # noqa: ANN001
    body = sq_cli.json("estimate", "check")
    assert body == svc.check_the_numbers().model_dump(mode="json")
    r = sq_cli("estimate", "check")
    assert r.exit_code == 0 and "WRONG" in r.stdout


def test_interactive_drill(cli) -> None:  # noqa: ANN001
    truth = make_drill("weights", 11, svc.presets().world()).truth
    r = cli("estimate", "drill", "--kind", "weights", "--seed", "11", input=f"\nabc\n{truth}\n")
    assert r.exit_code == 0, r.output
    assert "Type a number" in r.stdout and "is not a number" in r.stdout
    assert "Exact (within 10 %)" in r.stdout
    hist = cli.json("estimate", "history")
    assert hist["total"] == 1 and hist["recent"][0]["kind"] == "weights"


def test_drill_answer_flag_and_diagnosis(cli) -> None:  # noqa: ANN001
    d = make_drill("gpus", 2, svc.presets().world())
    peak = next(s for s in d.slips if "peak factor" in s.explanation and "both" not in s.explanation)
    body = cli.json("estimate", "drill", "--kind", "gpus", "--seed", "2", "--answer", str(d.truth * peak.factor))
    assert body["grade"] != "exact" and "peak" in body["diagnosis"]
    r = cli("estimate", "drill", "--answer", "5")
    assert r.exit_code == 1 and "--kind and --seed" in r.stderr


def test_add_a_user_model(sq_cli, tmp_path) -> None:  # noqa: ANN001
    from tests.services.test_estimate_service import QWEN_CONFIG

    path = tmp_path / "config.json"
    path.write_text(json.dumps(QWEN_CONFIG))
    r = sq_cli("estimate", "models", "--config", str(path), "--add", "my-qwen", "--json")
    assert r.exit_code == 0 and "Saved user-my-qwen" in r.stderr
    assert any(m["id"] == "user-my-qwen" for m in json.loads(r.stdout)["models"])
    body = sq_cli.json("estimate", "kv", "--model", "user-my-qwen", "--context", "1", "--batch", "1")
    assert body["result"]["kv_bytes_per_token"]["value"] == 57_344
    r = sq_cli("estimate", "models", "--add", "x")
    assert r.exit_code == 1 and "--add needs --config" in r.stderr
    r = sq_cli("estimate", "models", "--config", str(path), "--add", "Bad Name!")
    assert r.exit_code == 1 and "not usable" in r.stderr
