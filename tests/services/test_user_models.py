"""The user's model presets live in the database (migration 0006) and every config.json is
checked with bounds before it is saved or used."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from loopprep.errors import InvalidInput
from loopprep.services import estimate as svc
from loopprep.services import user_models
from loopprep.store.tables import user_model_preset
from tests.services.test_estimate_service import QWEN_CONFIG

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def test_an_added_model_is_a_database_row_not_a_file(ctx) -> None:  # noqa: ANN001
    preset = user_models.add_user_model(ctx, "my-qwen", json.dumps({**QWEN_CONFIG, "torch_dtype": "bfloat16"}), now=NOW)
    assert preset.id == "user-my-qwen"
    assert not (ctx.settings.data_dir / "models").exists()
    with ctx.engine.connect() as conn:
        rows = conn.execute(user_model_preset.select()).mappings().all()
    assert [r["id"] for r in rows] == ["user-my-qwen"]
    assert "torch_dtype" not in rows[0]["config"]  # only the keys loopprep reads are kept
    assert svc.presets(ctx).models["user-my-qwen"].layers == 28
    # saving again under the same name replaces it
    user_models.add_user_model(ctx, "my-qwen", json.dumps({**QWEN_CONFIG, "num_hidden_layers": 14}), now=NOW)
    assert svc.presets(ctx).models["user-my-qwen"].layers == 14


def test_on_an_id_clash_the_database_preset_wins(ctx) -> None:  # noqa: ANN001
    shipped = ctx.shipped_presets.models["qwen2.5-7b"]
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(user_model_preset).values(
                id="qwen2.5-7b", config={**QWEN_CONFIG, "num_hidden_layers": 7}, created_at=NOW
            )
        )
    mine = svc.presets(ctx).models["qwen2.5-7b"]
    assert mine.layers == 7 != shipped.layers


BAD_CONFIGS = {
    "float-layers": ('{"num_hidden_layers": 1e30}', "num_hidden_layers"),
    "huge-layers": (json.dumps({**QWEN_CONFIG, "num_hidden_layers": 10**30}), "num_hidden_layers"),
    "bool-layers": (json.dumps({**QWEN_CONFIG, "num_hidden_layers": True}), "num_hidden_layers"),
    "huge-experts": (json.dumps({**QWEN_CONFIG, "num_local_experts": 10**18}), "num_local_experts"),
    "string-size": (json.dumps({**QWEN_CONFIG, "hidden_size": "big"}), "hidden_size"),
    "list-type": (json.dumps({**QWEN_CONFIG, "model_type": ["llama"]}), "model_type"),
    "thousand-digits": ('{"num_hidden_layers": ' + "9" * 5000 + "}", "cannot read"),
    "deep": ("[" * 100_000 + "]" * 100_000, "deeply"),
    "nan": (json.dumps({**QWEN_CONFIG, "vocab_size": float("nan")}), "NaN"),
    "array": ("[1, 2]", "JSON object"),
}


@pytest.mark.parametrize(("text", "named"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_absurd_or_malformed_configs_are_refused_naming_the_key(sqlite_ctx, text: str, named: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        user_models.add_user_model(sqlite_ctx, "bad", text)
    assert named in exc.value.message and exc.value.field == "config"
    assert "user-bad" not in svc.presets(sqlite_ctx).models
