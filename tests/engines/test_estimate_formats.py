"""Tensor rates by weight and activation format, multi-head latent attention and MoE layouts."""

from __future__ import annotations

import pytest

from loopprep.engines.estimate import compute, memory
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec, matmul_rate, parameter_count
from loopprep.engines.estimate.steps import BadInput

BF16 = Dtype("bf16", "BF16", 2)
FP8 = Dtype("fp8", "FP8", 1, rate="fp8", activation="fp8")
INT8_WO = Dtype("int8", "INT8 weight-only", 1, rate="int8")
INT8_W8A8 = Dtype("int8-w8a8", "INT8 (W8A8)", 1, rate="int8", activation="int8-w8a8")
INT4_G128 = Dtype("int4-g128", "INT4 + FP16 scale per 128", 0.515625)
MXFP4 = Dtype("mxfp4", "MXFP4", 0.53125, rate="fp4")
NVFP4 = Dtype("nvfp4", "NVFP4", 0.5625, rate="fp4", activation="nvfp4")
# data sheets, dense: H100 SXM BF16 989.5, FP8 and INT8 1,979, no FP4; GB200 NVL72 per GPU FP4 10,000
H100 = Accelerator("h100-sxm", "H100 SXM", 80, 3350, 989.5, 1979, int8_tops=1979)
B200 = Accelerator("b200-nvl72", "B200", 186, 8000, 2500, 5000, int8_tops=5000, fp4_tflops=10000)
A100 = Accelerator("a100", "A100", 80, 2039, 312, None, int8_tops=624)

LLAMA_8B = ModelSpec("llama-3-8b", "Llama 3 8B", 32, 4096, 32, 8, 128, 14336, 128256)
# deepseek-ai/DeepSeek-V3 config.json
DEEPSEEK_V3 = ModelSpec(
    "deepseek-v3", "DeepSeek-V3", 61, 7168, 128, 128, 128, 2048, 129280,
    experts=256, experts_per_token=8, shared_experts=1, moe_layers=58, dense_ffn=18432,
    kv_lora_rank=512, q_lora_rank=1536, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
)  # fmt: skip


@pytest.mark.parametrize(
    ("weight", "activation", "gpu", "kind", "tflops"),
    [
        (BF16, BF16, H100, "bf16", 989.5),
        (INT4_G128, BF16, H100, "bf16", 989.5),  # GPTQ/AWQ: dequantised, BF16 multiply
        (INT8_WO, BF16, H100, "bf16", 989.5),  # weight-only INT8
        (MXFP4, BF16, H100, "bf16", 989.5),  # gpt-oss on Hopper
        (FP8, FP8, H100, "fp8", 1979),  # W8A8
        (INT8_W8A8, INT8_W8A8, H100, "int8", 1979),
        (INT8_W8A8, INT8_W8A8, A100, "int8", 624),
        (FP8, FP8, A100, "bf16", 312),  # no FP8 tensor cores
        (NVFP4, NVFP4, H100, "bf16", 989.5),  # no FP4 tensor cores
        (NVFP4, NVFP4, B200, "fp4", 10000),
        (MXFP4, FP8, B200, "fp8", 5000),  # W4A8 on FP8 tensor cores
        (BF16, FP8, H100, "bf16", 989.5),  # BF16 weights do not earn the FP8 rate
    ],
)
def test_the_rate_follows_weight_and_activation_formats(
    weight: Dtype, activation: Dtype, gpu: Accelerator, kind: str, tflops: float
) -> None:
    r = matmul_rate(gpu, weight, activation)
    assert (r.kind, r.tflops) == (kind, tflops) and r.why


def test_roofline_gives_weight_only_int4_the_bf16_compute_bound_and_says_so() -> None:
    bf16 = compute.roofline(LLAMA_8B, H100, BF16, BF16, batch=256)
    int4 = compute.roofline(LLAMA_8B, H100, INT4_G128, BF16, batch=256)
    fp8 = compute.roofline(LLAMA_8B, H100, FP8, BF16, batch=256, activation_dtype=FP8)
    assert int4.value("compute_bound_tokens_per_s") == bf16.value("compute_bound_tokens_per_s")
    assert fp8.value("compute_bound_tokens_per_s") == pytest.approx(2 * bf16.value("compute_bound_tokens_per_s"))
    assert int4.result["compute_rate"].value == "bf16" and fp8.result["compute_rate"].value == "fp8"
    assert any("dequantised" in w for w in int4.warnings)
    # the smaller weights still raise the memory bound
    assert int4.value("memory_bound_tokens_per_s") > bf16.value("memory_bound_tokens_per_s")


def test_deepseek_v3_parameters_from_its_config() -> None:
    pc = parameter_count(DEEPSEEK_V3)
    # DeepSeek-V3 report: 671B total, 37B activated per token
    assert pc.total == pytest.approx(671e9, rel=0.01)
    assert pc.active == pytest.approx(37e9, rel=0.03)


def test_mla_kv_cache_is_the_latent_plus_rope_key_per_layer() -> None:
    e = memory.kv_cache(DEEPSEEK_V3, BF16, context=1000, batch=2)
    # (kv_lora_rank 512 + qk_rope_head_dim 64) x 61 layers x 2 bytes
    assert e.value("kv_bytes_per_token") == (512 + 64) * 61 * 2 == 70_272
    # not 2 x heads x head_dim: that would be 2 x 61 x 128 x 192 x 2 bytes
    assert any(s.value == 2 * 61 * 128 * 192 * 2 for s in e.steps)
    assert e.value("kv_bytes_per_batch") == 70_272 * 1000 * 2
    tp8 = memory.kv_cache(DEEPSEEK_V3, BF16, tp=8)
    assert tp8.value("kv_bytes_per_token_per_gpu") == 70_272  # the latent is replicated, not split
    assert any("does not split" in w for w in tp8.warnings)


def test_fit_check_and_kv_budget_use_the_same_reading() -> None:
    # the roofline's "do not fit" warning and the KV budget's refusal agree at every TP degree
    for tp in range(1, 9):
        warns = any("do not fit" in w for w in compute.roofline(DEEPSEEK_V3, H100, FP8, BF16, tp=tp).warnings)
        try:
            memory.kv_budget(DEEPSEEK_V3, H100, FP8, BF16, tp=tp, memory_utilization=1)
            refused = False
        except BadInput:
            refused = True
        assert warns == refused, tp


def test_kv_drill_never_asks_heads_and_head_dim_of_a_latent_attention_model() -> None:
    from loopprep.engines.estimate import drills

    world = drills.DrillWorld(models=[DEEPSEEK_V3, LLAMA_8B], gpus=[H100], dtypes={"bf16": BF16, "fp8": FP8})
    for seed in range(40):
        assert "Llama 3 8B" in drills.make_drill("kv", seed, world).question
