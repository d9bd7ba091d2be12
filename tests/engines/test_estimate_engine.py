"""The estimation calculators against figures derived independently by hand from the published
configs and data sheets (each cited next to its figures)."""

from __future__ import annotations

import math

import pytest

from loopprep.engines.estimate import compute, index, memory, traffic
from loopprep.engines.estimate.specs import Accelerator, Dtype, ModelSpec, kv_heads_per_gpu, parameter_count
from loopprep.engines.estimate.steps import BadInput, bytes_text, ceil_div, num

BF16 = Dtype("bf16", "BF16", 2)
FP8 = Dtype("fp8", "FP8", 1)
FP32 = Dtype("fp32", "FP32", 4)

# https://huggingface.co/meta-llama/Meta-Llama-3-70B/blob/main/config.json
LLAMA_70B = ModelSpec(
    "l70", "Llama 3 70B", layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672, vocab=128256
)
# https://huggingface.co/meta-llama/Meta-Llama-3-8B/blob/main/config.json
LLAMA_8B = ModelSpec(
    "l8", "Llama 3 8B", layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336, vocab=128256
)
# https://huggingface.co/google/gemma-2-9b/blob/main/config.json (head_dim 256 ≠ 3584 / 16)
GEMMA_9B = ModelSpec(
    "g9",
    "Gemma 2 9B",
    layers=42,
    hidden=3584,
    heads=16,
    kv_heads=8,
    head_dim=256,
    ffn=14336,
    vocab=256000,
    tied_embeddings=True,
    sliding_window=4096,
    local_layers=21,
    norms_per_layer=4,
)
# https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
MIXTRAL = ModelSpec(
    "mx",
    "Mixtral",
    layers=32,
    hidden=4096,
    heads=32,
    kv_heads=8,
    head_dim=128,
    ffn=14336,
    vocab=32000,
    experts=8,
    experts_per_token=2,
)
# https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json (sliding_window 4096 on every layer)
MISTRAL = ModelSpec(
    "m7",
    "Mistral 7B",
    layers=32,
    hidden=4096,
    heads=32,
    kv_heads=8,
    head_dim=128,
    ffn=14336,
    vocab=32000,
    sliding_window=4096,
    local_layers=32,
)
# https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json (Q/K/V biases)
QWEN_7B = ModelSpec(
    "q7",
    "Qwen2.5 7B",
    layers=28,
    hidden=3584,
    heads=28,
    kv_heads=4,
    head_dim=128,
    ffn=18944,
    vocab=152064,
    qkv_bias=True,
)
# https://huggingface.co/google-bert/bert-base-uncased/blob/main/config.json
BERT = ModelSpec(
    "bert",
    "BERT base",
    layers=12,
    hidden=768,
    heads=12,
    kv_heads=12,
    head_dim=64,
    ffn=3072,
    vocab=30522,
    arch="encoder",
    max_positions=512,
    type_vocab=2,
)
# NVIDIA H100 data sheet, SXM: 80 GB, 3.35 TB/s, BF16 1,979 TFLOPS with sparsity (989.5 dense)
H100 = Accelerator("h100-sxm", "H100 SXM", 80, 3350, 989.5, 1979)
A100 = Accelerator("a100", "A100", 80, 2039, 312, None)


# -- parameter counts: model cards say 8.03B, 70.6B, 46.7B (12.9B active), 9.24B, 7.62B, 110M
@pytest.mark.parametrize(
    ("model", "total", "active"),
    [
        # 32 x (4096*4096*2 + 2*4096*1024 + 3*4096*14336 + 2*4096) + 2*128256*4096 + 4096
        (LLAMA_8B, 8_030_261_248, 8_030_261_248),
        (LLAMA_70B, 70_553_706_496, 70_553_706_496),
        (MIXTRAL, 46_702_792_704, 12_879_925_248),
        (GEMMA_9B, 9_241_705_984, 9_241_705_984),
        (QWEN_7B, 7_615_616_512, 7_615_616_512),
        (MISTRAL, 7_241_732_096, 7_241_732_096),
        (BERT, 109_482_240, 109_482_240),  # BertModel incl. pooler, as `sum(p.numel())` reports
    ],
)
def test_parameter_count_matches_the_model_cards(model: ModelSpec, total: int, active: int) -> None:
    pc = parameter_count(model)
    assert (pc.total, pc.active) == (total, active)


def test_llama_70b_layer_by_hand() -> None:
    q_o = 2 * 8192 * 8192
    k_v = 2 * 8192 * 8 * 128
    mlp = 3 * 8192 * 28672
    assert parameter_count(LLAMA_70B).per_layer == q_o + k_v + mlp + 2 * 8192


# -- KV cache
def test_kv_per_token_llama_70b_bf16_is_327680_bytes() -> None:
    e = memory.kv_cache(LLAMA_70B, BF16)
    assert e.value("kv_bytes_per_token") == 2 * 80 * 8 * 128 * 2 == 327_680
    # the un-GQA figure, 8x larger, is shown as a step for contrast
    assert any(s.value == 327_680 * 8 for s in e.steps)


def test_kv_per_token_llama_8b_and_fp8() -> None:
    assert memory.kv_cache(LLAMA_8B, BF16).value("kv_bytes_per_token") == 131_072
    assert memory.kv_cache(LLAMA_8B, FP8).value("kv_bytes_per_token") == 65_536


def test_gemma_uses_config_head_dim_and_warns() -> None:
    e = memory.kv_cache(GEMMA_9B, BF16)
    assert e.value("kv_bytes_per_token") == 2 * 42 * 8 * 256 * 2 == 344_064
    assert any("head_dim" in w for w in e.warnings)


def test_gemma_sliding_window_caps_half_the_layers() -> None:
    e = memory.kv_cache(GEMMA_9B, BF16, context=8192)
    per_layer_token = 2 * 8 * 256 * 2
    assert e.value("kv_bytes_per_request") == per_layer_token * (21 * 8192 + 21 * 4096)
    short = memory.kv_cache(GEMMA_9B, BF16, context=1000)
    assert short.value("kv_bytes_per_request") == per_layer_token * 42 * 1000


def test_mistral_window_caps_every_layer() -> None:
    a = memory.kv_cache(MISTRAL, BF16, context=4096).value("kv_bytes_per_request")
    b = memory.kv_cache(MISTRAL, BF16, context=32768).value("kv_bytes_per_request")
    assert a == b == 131_072 * 4096


def test_kv_under_tensor_parallelism() -> None:
    e = memory.kv_cache(LLAMA_70B, BF16, context=2500, batch=4, tp=2)
    assert e.value("kv_bytes_per_token_per_gpu") == 163_840
    assert e.value("kv_bytes_per_request") == 163_840 * 2500
    assert e.value("kv_bytes_per_batch") == 163_840 * 2500 * 4
    assert kv_heads_per_gpu(LLAMA_70B, 16) == 1  # replicated, never zero
    warn = memory.kv_cache(LLAMA_70B, BF16, tp=16).warnings
    assert any("replica" in w for w in warn)
    assert kv_heads_per_gpu(LLAMA_70B, 3) == 3  # rounded up


def test_kv_heads_must_divide_heads() -> None:
    bad = ModelSpec("x", "X", layers=2, hidden=64, heads=8, kv_heads=3, head_dim=8, ffn=64, vocab=10)
    with pytest.raises(BadInput) as exc:
        memory.kv_cache(bad, BF16)
    assert exc.value.field == "kv_heads" and "divide" in exc.value.message


# -- weights and the KV budget (80 GB read both ways)
def test_weights_70b_bf16_per_gpu() -> None:
    e = memory.weights(LLAMA_70B, BF16, tp=2)
    assert e.value("weights_bytes") == 70_553_706_496 * 2
    assert e.value("weights_bytes_per_gpu") == 70_553_706_496


def test_kv_budget_llama_70b_on_two_h100s_reads_80_gb_as_gib_by_default() -> None:
    # the span: about 93.7k KV tokens per GPU at 80 GiB with no reserve, about 41k at vLLM's 0.9
    full = memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=2, tokens_per_request=2500, memory_utilization=1)
    assert full.inputs["binary"] is True
    assert full.value("kv_free_bytes_binary") == 80 * 2**30 - 70_553_706_496  # ≈ 15.35 GB
    assert full.value("kv_free_bytes_decimal") == 80 * 10**9 - 70_553_706_496  # ≈ 9.45 GB, the other reading
    assert full.value("max_tokens") == (80 * 2**30 - 70_553_706_496) // 163_840 == 93_662
    assert full.value("max_requests") == (80 * 2**30 - 70_553_706_496) // (163_840 * 2500) == 37
    vllm = memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=2, tokens_per_request=2500)
    assert vllm.inputs["memory_utilization"] == 0.9
    assert vllm.value("kv_free_bytes_binary") == pytest.approx(0.9 * 80 * 2**30 - 70_553_706_496)
    assert vllm.value("max_tokens") == 41_233 and vllm.value("max_requests") == 16
    dec = memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=2, binary=False, memory_utilization=1)
    assert dec.value("max_tokens") == (80 * 10**9 - 70_553_706_496) // 163_840 == 57_655


def test_kv_budget_reserve_is_subtracted_in_the_same_reading() -> None:
    a = memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=4, reserve_gb=5, memory_utilization=1)
    assert a.value("kv_free_bytes_binary") == 80 * 2**30 - 70_553_706_496 * 2 / 4 - 5 * 2**30
    assert a.value("kv_free_bytes_decimal") == 80e9 - 70_553_706_496 * 2 / 4 - 5e9


def test_kv_budget_rejects_a_utilisation_outside_zero_to_one() -> None:
    with pytest.raises(BadInput) as exc:
        memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=2, memory_utilization=1.5)
    assert exc.value.field == "memory_utilization" and "0.9" in exc.value.hint


def test_model_that_does_not_fit_says_by_how_much() -> None:
    with pytest.raises(BadInput) as exc:
        memory.kv_budget(LLAMA_70B, H100, BF16, BF16, tp=1, memory_utilization=1)
    msg = exc.value.message
    # 141.1 GB of weights against 80 GiB = 85.9 GB
    assert exc.value.field == "tp" and "does not fit" in msg and "short by 55.21 GB" in msg
    assert "tp ≥ 2" in exc.value.hint


# -- traffic, Little's law, GPUs, cost
def test_traffic_matches_hand_arithmetic() -> None:
    e = traffic.traffic(dau=1e6, sessions_per_user=5, requests_per_session=10, peak_factor=3, tokens_per_request=300)
    assert e.value("requests_per_day") == 50e6
    assert e.value("avg_qps") == pytest.approx(50e6 / 86400)
    assert e.value("tokens_per_day") == 15e9
    assert e.value("peak_tokens_per_s") == pytest.approx(15e9 / 86400 * 3)


def test_traffic_warns_above_100k_qps() -> None:
    assert traffic.traffic(dau=1e9, sessions_per_user=10, requests_per_session=10).warnings


@pytest.mark.parametrize("field", ["dau", "sessions_per_user", "requests_per_session"])
def test_traffic_rejects_zero_and_negative(field: str) -> None:
    kw = {"dau": 1e6, "sessions_per_user": 3, "requests_per_session": 10}
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(BadInput) as exc:
            traffic.traffic(**{**kw, field: bad})
        assert exc.value.field == field


def test_little_law_and_percentile_warning() -> None:
    e = traffic.inflight(arrival_rate=6944, latency_s=0.5)
    assert e.value("in_flight") == 3472 and not e.warnings
    p99 = traffic.inflight(arrival_rate=6944, latency_s=0.5, latency_kind="p99")
    assert "MEAN" in p99.warnings[0]
    # a percentile is not a bound on the mean either way: the warning must not call it one
    assert "not a bound" in p99.warnings[0] and "upper bound" not in p99.warnings[0]


def test_gpus_with_headroom_and_tp() -> None:
    e = traffic.gpus_for_load(peak_tokens_per_s=520_833.33, tokens_per_s_per_gpu=1000, headroom=1.3)
    assert e.value("gpus") == math.ceil(520.83333 * 1.3) == 678
    tp = traffic.gpus_for_load(peak_tokens_per_s=520_833.33, tokens_per_s_per_gpu=1000, headroom=1.3, tp=8)
    assert tp.value("gpus") == 680 and tp.value("replicas") == 85
    exact = traffic.gpus_for_load(peak_tokens_per_s=3000, tokens_per_s_per_gpu=1000, headroom=1.0)
    assert exact.value("gpus") == 3  # no float fuzz turning 3.0000001 into 4


def test_cost() -> None:
    e = traffic.monthly_cost(gpus=678, price_per_gpu_hour=2.5)
    assert e.value("cost_per_month") == 678 * 730 * 2.5
    with pytest.raises(BadInput):
        traffic.monthly_cost(gpus=1, price_per_gpu_hour=1, utilisation=1.5)


# -- roofline and training
def test_decode_roofline_batch_one_is_memory_bound() -> None:
    e = compute.roofline(LLAMA_8B, H100, BF16, BF16, batch=1, context=1)
    wbytes = 8_030_261_248 * 2
    assert e.value("memory_bound_tokens_per_s") == pytest.approx(3350e9 / (wbytes + 131_072))
    assert e.value("compute_bound_tokens_per_s") == pytest.approx(989.5e12 / (2 * 8_030_261_248))
    assert e.result["binding"].value == "memory"
    assert e.value("critical_batch") == pytest.approx(989.5e12 * wbytes / (3350e9 * 2 * 8_030_261_248))


def test_prefill_is_compute_bound_and_moe_uses_active_params() -> None:
    e = compute.roofline(MIXTRAL, H100, BF16, BF16, batch=8, context=2000, tp=2, phase="prefill")
    assert e.result["binding"].value == "compute"
    assert e.value("compute_bound_tokens_per_s") == pytest.approx(2 * 989.5e12 / (2 * 12_879_925_248))


def test_fp8_on_a100_warns_and_uses_bf16() -> None:
    e = compute.roofline(LLAMA_8B, A100, FP8, FP8)
    assert e.warnings and e.value("compute_bound_tokens_per_s") == pytest.approx(312e12 / (2 * 8_030_261_248))


def test_training_llama_3_8b() -> None:
    # 6 x 8.03e9 x 15e12 = 7.2e23 FLOPs; at 40 % of 989.5 TFLOP/s
    e = compute.training(parameters=8.03e9, tokens=15e12, gpu=H100, mfu=0.4, gpus=1024)
    flops = 6 * 8.03e9 * 15e12
    assert e.value("flops") == pytest.approx(flops)
    assert e.value("gpu_days") == pytest.approx(flops / (989.5e12 * 0.4) / 86400)
    assert e.value("wall_days") == pytest.approx(e.value("gpu_days") / 1024)
    for bad in (0, 1.2, -0.1):
        with pytest.raises(BadInput) as exc:
            compute.training(parameters=1e9, tokens=1e9, gpu=H100, mfu=bad)
        assert exc.value.field == "mfu"


# -- index memory (Faiss wiki per-vector costs)
def test_index_flat_hnsw_ivfpq() -> None:
    n, d = 1e8, 768
    assert index.vector_index(vectors=n, dim=d, kind="flat").value("index_bytes") == n * d * 4
    assert index.vector_index(vectors=n, dim=d, kind="hnsw", hnsw_m=32).value("index_bytes") == n * (d * 4 + 32 * 2 * 4)
    pq = index.vector_index(vectors=n, dim=d, kind="ivf-pq", pq_bytes=64, nlist=65536)
    assert pq.value("index_bytes") == n * (64 + 8) + 65536 * d * 4
    with pytest.raises(BadInput) as exc:
        index.vector_index(vectors=n, dim=d, kind="ivf-pq", pq_bytes=100, nlist=10)
    assert exc.value.field == "pq_bytes"
    with pytest.raises(BadInput):
        index.vector_index(vectors=n, dim=d, kind="annoy")


def test_storage() -> None:
    e = index.storage(items_per_day=1e9, bytes_per_item=500, retention_days=90, replication=3, compression=4)
    assert e.value("stored_bytes") == 1e9 * 500 * 90 / 4 * 3


# -- formatting helpers
def test_bytes_text_states_both_units() -> None:
    assert bytes_text(327_680) == "0.3277 MB = 0.3125 MiB"
    assert bytes_text(65_536) == "65.54 kB = 64 KiB"
    assert bytes_text(80e9) == "80 GB = 74.51 GiB"
    assert num(1234567) == "1,234,567" and num(0.32768) == "0.3277"
    assert ceil_div(6, 3) == 2 and ceil_div(7, 3) == 3


def test_moe_decode_reads_only_the_experts_it_touches() -> None:
    # batch 1: 2 of 8 experts per layer, so the bytes read are the active parameters'
    one = compute.roofline(MIXTRAL, H100, BF16, BF16, batch=1, context=1)
    wbytes = next(s.value for s in one.steps if s.label == "Weights read per step")
    assert wbytes == pytest.approx(12_879_925_248 * 2)
    # a large batch touches (almost) every expert: all 46.7B parameters are read
    big = compute.roofline(MIXTRAL, H100, BF16, BF16, batch=256, context=1)
    wbig = next(s.value for s in big.steps if s.label == "Weights read per step")
    assert wbig == pytest.approx(46_702_792_704 * 2, rel=1e-6)
    mid = compute.roofline(MIXTRAL, H100, BF16, BF16, batch=4, context=1)
    touched = next(s.value for s in mid.steps if s.label.startswith("Experts read"))
    assert touched == pytest.approx(8 * (1 - 0.75**4))


def test_roofline_warns_when_the_weights_do_not_fit() -> None:
    assert any("do not fit" in w for w in compute.roofline(MIXTRAL, H100, BF16, BF16).warnings)
    assert not any("do not fit" in w for w in compute.roofline(MIXTRAL, H100, BF16, BF16, tp=2).warnings)
