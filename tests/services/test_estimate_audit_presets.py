"""The shipped estimation presets against their published figures, and the audit's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from loopprep.content.loader import load_bank
from loopprep.services import estimate as svc

BANK = load_bank()
# The chapter the audit quotes is one of the seed articles beside the repository (as for the
# own-words test); loopprep does not keep a copy of its text.
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Published totals (and active parameters for mixtures of experts) from the model cards and
# reports.  Tolerance 3 %: the published figures are rounded, and the kit counts the text model
# (Llama 4's and Gemma 3's totals include a vision encoder) and leaves out per-head norms, biases
# and attention sinks.  gpt-oss's active figures exclude the input embedding table (OpenAI's
# model card counts that way), so the test subtracts it for them.
PUBLISHED: dict[str, tuple[float, float | None]] = {
    "deepseek-v3": (671e9, 37e9),
    "llama-4-scout": (109e9, 17e9),
    "llama-4-maverick": (400e9, 17e9),
    "qwen3-32b": (32.8e9, None),
    "qwen3-235b-a22b": (235e9, 22e9),
    "gpt-oss-20b": (20.9e9, 3.6e9),
    "gpt-oss-120b": (116.8e9, 5.1e9),
    "gemma-3-27b": (27e9, None),
    "mixtral-8x7b": (46.7e9, 12.9e9),
}
ACTIVE_WITHOUT_INPUT_EMBEDDING = {"gpt-oss-20b", "gpt-oss-120b"}
TOLERANCE = 0.03


@pytest.mark.parametrize("model_id", sorted(PUBLISHED))
def test_parameter_count_from_the_config_matches_the_published_total_and_active(model_id: str) -> None:
    rows = {m.id: m for m in svc.list_presets().models}
    row = rows[model_id]
    total, active = PUBLISHED[model_id]
    assert row.parameters == pytest.approx(total, rel=TOLERANCE)
    if active is not None:
        counted = row.active_parameters
        if model_id in ACTIVE_WITHOUT_INPUT_EMBEDDING:
            counted -= row.vocab * row.hidden
        assert counted == pytest.approx(active, rel=TOLERANCE)


def test_every_mixture_of_experts_states_total_and_active() -> None:
    moe = [m for m in svc.list_presets().models if m.experts > 1]
    assert {m.id for m in moe} >= {"deepseek-v3", "llama-4-scout", "qwen3-235b-a22b", "gpt-oss-120b"}
    for m in moe:
        assert m.active_parameters < m.parameters
        assert m.id in PUBLISHED, f"{m.id}: add its published total and active figures to PUBLISHED"


def test_2026_presets_are_shipped_with_sources_and_notes() -> None:
    p = svc.shipped_presets(BANK)
    assert {"b200-nvl72", "b300", "mi300x", "mi325x", "mi355x", "tpu-v5e", "tpu-v5p", "tpu-v6e"} <= set(p.gpus)
    assert {"mxfp4", "nvfp4", "int8-w8a8"} <= set(p.dtypes)
    assert p.dtypes["mxfp4"].bytes * 8 == 4.25 and p.dtypes["nvfp4"].bytes * 8 == 4.5
    for gid in ("tpu-v5e", "tpu-v5p", "tpu-v6e", "b300"):
        assert p.gpus[gid].note, gid  # what the data sheet leaves out
    rows = {m.id: m for m in svc.list_presets().models}
    assert rows["deepseek-v3"].kv_bytes_per_token_bf16 == 61 * (512 + 64) * 2


def test_kv_budget_api_reads_gib_by_default_with_vllm_utilisation() -> None:
    view = svc.run(None, "kv-budget", {})
    assert view.inputs["binary"] is True and view.inputs["memory_utilization"] == 0.9
    assert view.result["max_tokens"].value == 41_233
    full = svc.run(None, "kv-budget", {"memory_utilization": 1})
    assert full.result["max_tokens"].value == 93_662
    assert svc.run(None, "kv-budget", {"memory_utilization": 1, "binary": False}).result["max_tokens"].value == 57_655


def test_roofline_names_the_rate_it_assumed() -> None:
    gptoss = svc.run(None, "roofline", {"model": "gpt-oss-120b", "weight_dtype": "mxfp4", "gpu": "h100-sxm"})
    assert gptoss.result["compute_rate"].value == "bf16"
    nv = svc.run(None, "roofline", {"model": "llama-3-8b", "weight_dtype": "nvfp4", "gpu": "b200-nvl72"})
    assert nv.result["compute_rate"].value == "fp4"
    w8a8 = svc.run(None, "roofline", {"weight_dtype": "int8-w8a8", "gpu": "mi300x"})
    assert w8a8.result["compute_rate"].value == "int8"
    assert svc.run(None, "roofline", {"weight_dtype": "int4-g128"}).result["compute_rate"].value == "bf16"


# The verdict table the audit gives today (the span of readings decides the memory claims).
VERDICTS = {
    "e1-tokens-per-day": "right",
    "e1-average": "right",
    "e1-peak": "right",
    "e1-gpus": "wrong",
    "e1-single-h100": "wrong",
    "e1-60s-tokens": "wrong",
    "e1-60s-gpus": "rough",
    "e2-formula": "rough",
    "e2-70b": "wrong",
    "e2-8b": "rough",
    "e2-weights": "right",
    "e2-free": "wrong",
    "e2-per-gpu": "wrong",
    "e2-tokens": "rough",
    "e2-concurrency": "rough",
    "e2-60s": "rough",
    "e3-avg": "right",
    "e3-peak": "right",
    "e3-60s": "right",
    "e3-little": "wrong",
}


def test_audit_verdicts_and_the_span_of_readings() -> None:
    view = svc.check_the_numbers()
    by = {c.id: c for c in view.claims}
    assert {k: c.verdict for k, c in by.items()} == VERDICTS
    # both readings and vLLM's default appear in the span, with the figures
    tokens = by["e2-tokens"].exact
    assert "93,662" in tokens and "41,233" in tokens and "57,655" in tokens
    assert "16 to 37" in by["e2-concurrency"].exact
    assert "0.33 MB" in by["e2-per-gpu"].explanation and "0.328 MB" in by["e2-70b"].exact


def test_little_law_claim_explains_the_tail_and_a_real_chat_turn() -> None:
    c = {c.id: c for c in svc.check_the_numbers().claims}["e3-little"]
    assert "not an upper bound" in c.explanation and "mean is 1.095 s" in c.explanation
    # 300 output tokens at the roofline's per-sequence bound take seconds; the concurrency follows
    assert "at least 50,398 in flight" in c.exact and "7.26 s" in c.exact


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed articles are not at {SEEDS}")
def test_every_quotation_is_the_chapter_word_for_word() -> None:
    chapters = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]
    chapter = next(t for t in chapters if "Estimation 1" in t)
    for c in svc.check_the_numbers().claims:
        for part in c.quote.split(" … "):
            assert part.strip("→ ") in chapter, (c.id, part)


def test_a_pasted_deepseek_or_qwen3_moe_config_counts_like_the_shipped_preset() -> None:
    from loopprep.services import user_models

    deepseek = {
        "model_type": "deepseek_v3", "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
        "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128, "n_routed_experts": 256,
        "n_shared_experts": 1, "num_experts_per_tok": 8, "first_k_dense_replace": 3, "kv_lora_rank": 512,
        "q_lora_rank": 1536, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128,
        "vocab_size": 129280, "max_position_embeddings": 163840, "tie_word_embeddings": False,
    }  # fmt: skip
    qwen3_moe = {
        "model_type": "qwen3_moe", "hidden_size": 4096, "intermediate_size": 12288, "moe_intermediate_size": 1536,
        "num_hidden_layers": 94, "num_attention_heads": 64, "num_key_value_heads": 4, "head_dim": 128,
        "num_experts": 128, "num_experts_per_tok": 8, "vocab_size": 151936, "max_position_embeddings": 40960,
        "tie_word_embeddings": False, "attention_bias": False,
    }  # fmt: skip
    shipped = {m.id: m for m in svc.list_presets().models}
    for config, preset_id in ((deepseek, "deepseek-v3"), (qwen3_moe, "qwen3-235b-a22b")):
        mine = user_models.model_from_config(config, model_id="user-x", source="test")
        row = svc.list_presets(extra=[mine]).models[-1]
        assert row.id == "user-x"
        assert (row.parameters, row.active_parameters, row.kv_bytes_per_token_bf16) == (
            shipped[preset_id].parameters,
            shipped[preset_id].active_parameters,
            shipped[preset_id].kv_bytes_per_token_bf16,
        )


def test_a_pasted_gemma_3_or_gpt_oss_config_finds_its_sliding_layers() -> None:
    from loopprep.services import user_models

    gemma3 = {
        "model_type": "gemma3",
        "text_config": {
            "model_type": "gemma3_text", "hidden_size": 5376, "intermediate_size": 21504, "num_hidden_layers": 62,
            "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128, "vocab_size": 262208,
            "sliding_window": 1024, "sliding_window_pattern": 6, "max_position_embeddings": 131072,
        },
    }  # fmt: skip
    gpt_oss = {
        "model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880, "num_hidden_layers": 24,
        "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64, "num_local_experts": 32,
        "num_experts_per_tok": 4, "vocab_size": 201088, "sliding_window": 128, "attention_bias": True,
        "layer_types": ["sliding_attention", "full_attention"] * 12, "tie_word_embeddings": False,
        "max_position_embeddings": 131072,
    }  # fmt: skip
    shipped = {m.id: m for m in svc.list_presets().models}
    for config, preset_id in ((gemma3, "gemma-3-27b"), (gpt_oss, "gpt-oss-20b")):
        mine = user_models.model_from_config(config, model_id="user-x", source="test")
        assert (mine.local_layers, mine.sliding_window) == (
            shipped[preset_id].local_layers,
            shipped[preset_id].sliding_window,
        )
        row = svc.list_presets(extra=[mine]).models[-1]
        assert (row.parameters, row.active_parameters) == (
            shipped[preset_id].parameters,
            shipped[preset_id].active_parameters,
        )
