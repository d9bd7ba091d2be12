"""Estimation service: presets with sources, user config.json models, parameter errors, the
audit of the chapter, drills stored on both backends and carried by export/import."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from loopprep.content.loader import load_bank
from loopprep.engines.estimate import drills
from loopprep.errors import InvalidInput, NotFound
from loopprep.services import estimate as svc
from loopprep.services import user_models
from loopprep.services.backup import export_document, import_document

BANK = load_bank()

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

# https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json (the fields that matter)
QWEN_CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "max_position_embeddings": 131072,
    "sliding_window": 131072,
    "use_sliding_window": False,
    "tie_word_embeddings": False,
}


def test_every_preset_has_a_source_and_the_issue_minimum() -> None:
    p = svc.shipped_presets(BANK)
    need_models = {
        "llama-3-8b",
        "llama-3-70b",
        "llama-3.1-405b",
        "mistral-7b",
        "mixtral-8x7b",
        "qwen2.5-7b",
        "qwen2.5-72b",
        "gemma-2-9b",
        "gemma-2-27b",
    }
    assert need_models <= set(p.models)
    assert sum(m.arch == "encoder" for m in p.models.values()) >= 2
    assert {"h100-sxm", "h100-pcie", "h200", "a100-40gb", "a100-80gb", "l4", "b200"} <= set(p.gpus)
    assert {"fp32", "bf16", "fp8", "int8", "int4", "int4-g128"} <= set(p.dtypes)
    for item in [*p.models.values(), *p.gpus.values(), *p.dtypes.values()]:
        assert item.source.url.startswith("https://") and item.source.title
    for m in p.models.values():
        if m.arch == "decoder" and "huggingface.co" in m.source.url:
            assert m.source.url.endswith("/config.json")


def test_presets_view_counts_parameters_from_configs() -> None:
    view = svc.list_presets()
    by = {m.id: m for m in view.models}
    assert by["llama-3-70b"].parameters == 70_553_706_496
    assert by["llama-3.1-405b"].parameters == 405_853_388_800  # model card: 405B
    assert by["qwen2.5-72b"].parameters == 72_706_203_648  # model card: 72.7B
    assert by["gemma-2-27b"].parameters == 27_227_128_320  # model card: 27.2B
    assert by["bge-large-en-v1.5"].parameters == 335_141_888  # model card: 335M
    assert by["llama-3-70b"].kv_bytes_per_token_bf16 == 327_680
    h100 = next(g for g in view.gpus if g.id == "h100-sxm")
    assert (h100.memory_bytes_decimal, h100.memory_bytes_binary) == (80 * 10**9, 80 * 2**30)


def test_model_from_config_json(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "qwen.json"
    path.write_text(json.dumps(QWEN_CONFIG))
    preset = user_models.load_config_file(path)
    assert preset.id == "user-qwen" and preset.head_dim == 128 and preset.sliding_window is None and preset.qkv_bias
    view = svc.run(None, "weights", {"model": preset.id}, extra_models=[preset])
    assert view.result["parameters"].value == 7_615_616_512


def test_model_files_of_older_versions_move_into_the_database_once(sqlite_ctx, bank) -> None:  # noqa: ANN001
    """Before migration 0006 user models were files under DATA_DIR/models: the next open copies
    them into the database (once; a broken file is skipped) and leaves the files alone."""
    from loopprep.services.context import open_context
    from loopprep.store.tables import user_model_preset

    folder = sqlite_ctx.settings.data_dir / "models"
    folder.mkdir()
    (folder / "my-qwen.json").write_text(json.dumps(QWEN_CONFIG))
    (folder / "broken.json").write_text("{not json")
    ctx = open_context(sqlite_ctx.settings, bank=bank)
    try:
        p = svc.presets(ctx)
        assert "user-my-qwen" in p.models and "user-broken" not in p.models
        assert (
            svc.run(ctx, "kv", {"model": "user-my-qwen", "context": 1, "batch": 1}).result["kv_bytes_per_token"].value
            == 57_344
        )
        assert (folder / "my-qwen.json").exists()
        with ctx.engine.begin() as conn:
            conn.execute(user_model_preset.delete())
    finally:
        ctx.engine.dispose()
    again = open_context(sqlite_ctx.settings, bank=bank)
    try:
        assert "user-my-qwen" not in svc.presets(again).models  # copied once, not on every open
    finally:
        again.engine.dispose()


@pytest.mark.parametrize(
    ("config", "field_hint"),
    [
        ({**QWEN_CONFIG, "num_key_value_heads": 5}, "divide"),
        ({k: v for k, v in QWEN_CONFIG.items() if k != "vocab_size"}, "vocab_size"),
        ({**QWEN_CONFIG, "num_hidden_layers": -2}, "layers"),
    ],
)
def test_bad_config_json_names_the_problem(config: dict, field_hint: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        user_models.model_from_config(config, model_id="user-x", source="x.json")
    assert field_hint in str(exc.value)


def test_missing_config_file(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput, match="No file"):
        user_models.load_config_file(tmp_path / "nope.json")


def test_parse_params_names_fields_and_ranges() -> None:
    with pytest.raises(InvalidInput) as exc:
        svc.parse_params("train", {"mfu": "1.5", "gpus": "0", "bogus": "1"})
    assert set(exc.value.fields) == {"mfu", "gpus", "bogus"}
    assert "less than or equal to 1" in exc.value.fields["mfu"]
    assert "not an input" in exc.value.fields["bogus"]


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as exc:
        svc.run(None, "kv-budget", {"gpu": "h1000"})
    assert exc.value.fields == {"gpu": "Unknown GPU 'h1000'."} and "h100-sxm" in exc.value.hint
    with pytest.raises(NotFound):
        svc.run(None, "nope", {})


def test_model_that_does_not_fit_is_a_field_error() -> None:
    with pytest.raises(InvalidInput) as exc:
        svc.run(None, "kv-budget", {"model": "llama-3.1-405b", "tp": 4})
    assert "tp" in exc.value.fields and "short by" in exc.value.message


def test_every_calculator_runs_on_its_defaults_and_is_finite() -> None:
    for calc_id in svc.CALCULATORS:
        view = svc.run(None, calc_id, {})
        assert view.steps and view.result
        for name in svc.CALCULATORS[calc_id].headline:
            assert name in view.result
        assert all(abs(s.value) < 1e30 for s in view.steps)


def test_train_with_a_model_uses_its_active_parameters() -> None:
    view = svc.run(None, "train", {"model": "mixtral-8x7b", "tokens_b": 1000})
    assert view.result["flops"].value == pytest.approx(6 * 12_879_925_248 * 1e12)
    assert view.inputs["model"] == "mixtral-8x7b"


def test_check_the_numbers_flags_the_known_errors() -> None:
    view = svc.check_the_numbers()
    by = {c.id: c for c in view.claims}
    assert by["e2-70b"].verdict == "wrong" and "327,680 bytes = 0.328 MB" in by["e2-70b"].exact
    assert by["e2-free"].verdict == "wrong" and "9.45 GB" in by["e2-free"].exact and "15.35 GB" in by["e2-free"].exact
    assert by["e1-gpus"].verdict == "wrong" and "678" in by["e1-gpus"].exact
    assert by["e3-little"].verdict != "right" and "MEAN" in by["e3-little"].explanation
    assert by["e2-formula"].verdict != "right" and "256" in by["e2-formula"].explanation
    assert by["e1-single-h100"].verdict == "wrong"
    assert by["e3-avg"].verdict == "right" and by["e1-tokens-per-day"].verdict == "right"
    assert sum(view.counts.values()) == len(view.claims) >= 15
    for c in view.claims:
        assert c.calculator in svc.CALCULATORS
        linked = svc.run(None, c.calculator, dict(x.split("=") for x in c.query.split("&")))  # every link works
        assert linked.steps


def test_parse_answer() -> None:
    assert (
        svc.parse_answer("1,234") == 1234 and svc.parse_answer("3.5e2") == 350 and svc.parse_answer("350k") == 350_000
    )
    assert svc.parse_answer(" 2M ") == 2e6
    for bad in ("", "abc", "-3", "0", "inf"):
        with pytest.raises(InvalidInput):
            svc.parse_answer(bad)


def test_drills_are_stored_graded_and_missed_types_come_first(ctx) -> None:  # noqa: ANN001
    d = svc.new_drill(ctx, kind="qps", seed=42)
    again = svc.new_drill(ctx, kind="qps", seed=42)
    assert d == again and d.seconds == 60
    truth = drills.make_drill("qps", 42, svc.presets().world()).truth
    r = svc.answer_drill(ctx, kind="qps", seed=42, answer=truth * 1.05, now=NOW, seconds=12.34)
    assert r.grade == "exact" and r.steps
    r = svc.answer_drill(ctx, kind="kv", seed=7, answer=1e-3, now=NOW + dt.timedelta(seconds=1))
    assert r.grade == "off"
    h = svc.drill_history(ctx)
    assert h.total == 2 and h.next_kind == "kv"
    kv = next(k for k in h.by_kind if k.kind == "kv")
    assert (kv.attempts, kv.off, kv.hit_rate) == (1, 1, 0.0)
    assert h.recent[0].kind == "kv" and h.recent[1].seconds == 12.3
    assert [(w.week, w.attempts, w.hit_rate) for w in h.by_week] == [(dt.date(2026, 11, 23), 2, 0.5)]
    assert svc.new_drill(ctx).kind == "kv"  # the type missed most comes back first


def test_drill_bad_input(ctx) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        svc.new_drill(ctx, kind="nope")
    assert "qps" in exc.value.hint
    with pytest.raises(InvalidInput):
        svc.answer_drill(ctx, kind="qps", seed=-1, answer=1, now=NOW)
    with pytest.raises(InvalidInput) as exc:
        svc.answer_drill(ctx, kind="qps", seed=1, answer=0, now=NOW)
    assert exc.value.fields == {"answer": exc.value.message}
    assert svc.drill_history(ctx).total == 0


def test_drill_history_survives_export_and_import(ctx) -> None:  # noqa: ANN001
    svc.answer_drill(ctx, kind="train", seed=3, answer=100, now=NOW, seconds=30)
    doc = export_document(ctx, now=NOW)
    rows = doc["data"]["estimate_drills"]
    assert len(rows) == 1 and rows[0]["kind"] == "train" and rows[0]["answered_at"].startswith("2026-11-23T12:00:00")
    import_document(ctx, json.dumps(doc), replace=True)
    h = svc.drill_history(ctx)
    assert h.total == 1 and h.recent[0].answer == 100
    bad = json.loads(json.dumps(doc))
    bad["data"]["estimate_drills"][0]["grade"] = "superb"
    with pytest.raises(Exception, match="estimate_drills"):
        import_document(ctx, json.dumps(bad), replace=True)


def test_no_plan_means_no_task_done(sqlite_ctx) -> None:  # noqa: ANN001
    assert svc.answer_drill(sqlite_ctx, kind="kv", seed=1, answer=5, now=NOW).plan_task_done is None
