"""Model architectures, accelerators and dtypes as plain values, and the parameter count.

Parameter count from a config (the formula ``parameter_count`` implements, per layer):

* attention: ``hidden x heads x head_dim`` (Q) + ``2 x hidden x kv_heads x head_dim`` (K, V) +
  ``heads x head_dim x hidden`` (O), plus Q/K/V biases when ``qkv_bias`` (Qwen2);
* MLP: ``3 x hidden x ffn`` (gated: gate, up, down) per expert, plus a ``hidden x experts``
  router for mixtures of experts; an encoder (BERT) MLP is ``2 x hidden x ffn`` plus biases;
* norms: ``norms_per_layer x hidden`` (RMSNorm weights; Gemma 2 has four per layer).

Plus the token embedding ``vocab x hidden``, an output head of the same size unless the
embeddings are tied, and the final norm.  Encoders (``arch == "encoder"``) add position and
token-type embeddings, LayerNorm biases, all linear biases and the pooler.  Active parameters
count ``experts_per_token`` routed experts (plus the shared ones) instead of all of them.

Mixtures of experts: ``moe_layers`` of the layers hold ``experts`` routed experts of width
``ffn`` plus ``shared_experts`` always-on experts of the same width; the other layers are dense
with width ``dense_ffn`` (DeepSeek-V3: the first 3 of 61 layers; Llama 4 Maverick: every other
layer).  Multi-head latent attention (``kv_lora_rank > 0``, DeepSeek-V2/V3) replaces the
Q/K/V projections by low-rank ones: ``hidden x q_lora_rank + q_lora_rank x heads x
(qk_nope + qk_rope)`` for Q, ``hidden x (kv_lora_rank + qk_rope)`` + ``kv_lora_rank x heads x
(qk_nope + v_head_dim)`` for K and V, ``heads x v_head_dim x hidden`` for O, and the two
latent norms.
"""

from __future__ import annotations

from dataclasses import dataclass

from loopprep.engines.estimate.steps import BadInput

PARAMETER_FORMULA = (
    "Per layer: attention = hidden x heads x head_dim (Q) + 2 x hidden x kv_heads x head_dim (K, V) "
    "+ heads x head_dim x hidden (O), plus Q/K/V biases where the model has them; MLP = 3 x hidden x ffn "
    "(gate, up, down) per expert, plus a hidden x experts router; norms = norms_per_layer x hidden. "
    "Total = layers x per-layer + vocab x hidden (twice when the output head is not tied) + the final norm. "
    "Encoders also count position and token-type embeddings, biases and the pooler. Active parameters count "
    "only the experts used per token (routed plus shared). Mixtures of experts may keep some layers dense "
    "(dense_ffn). Multi-head latent attention (DeepSeek-V3) uses low-rank Q and KV projections instead: "
    "hidden x q_lora_rank + q_lora_rank x heads x (qk_nope + qk_rope) for Q, hidden x (kv_lora_rank + qk_rope) "
    "+ kv_lora_rank x heads x (qk_nope + v_head_dim) for K and V, heads x v_head_dim x hidden for O."
)


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tied_embeddings: bool = False
    sliding_window: int | None = None
    local_layers: int = 0  # how many layers use the sliding window (the rest attend globally)
    experts: int = 1
    experts_per_token: int = 1
    qkv_bias: bool = False
    norms_per_layer: int = 2
    arch: str = "decoder"  # or "encoder" (BERT-style)
    max_positions: int = 0
    type_vocab: int = 0
    shared_experts: int = 0  # always-on experts per MoE layer, each of width ffn
    moe_layers: int | None = None  # layers that hold experts (None: all of them when experts > 1)
    dense_ffn: int = 0  # MLP width of the layers without experts
    # multi-head latent attention (DeepSeek-V2/V3); kv_lora_rank 0 means ordinary (grouped-query) attention
    kv_lora_rank: int = 0
    q_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0

    @property
    def mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def n_moe_layers(self) -> int:
        if self.experts == 1 and not self.shared_experts:
            return 0
        return self.layers if self.moe_layers is None else self.moe_layers

    def check(self) -> None:
        for name in ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise BadInput(name, f"The model's '{name}' must be a whole number of at least 1 (got {v}).")
        if self.heads % self.kv_heads:
            raise BadInput(
                "kv_heads",
                f"KV heads ({self.kv_heads}) must divide the attention heads ({self.heads}) evenly.",
                "Grouped-query attention shares each KV head among heads / kv_heads query heads; "
                "use a divisor of the head count (1 = multi-query, = heads for multi-head).",
            )
        if not 1 <= self.experts_per_token <= self.experts:
            raise BadInput(
                "experts_per_token",
                f"Experts per token ({self.experts_per_token}) must be between 1 and the expert count "
                f"({self.experts}).",
            )
        if self.sliding_window is not None and self.sliding_window < 1:
            raise BadInput(
                "sliding_window", f"The sliding window must be at least 1 token (got {self.sliding_window})."
            )
        if not 0 <= self.local_layers <= self.layers:
            raise BadInput("local_layers", f"Local layers must be between 0 and {self.layers}.")
        if self.local_layers and self.sliding_window is None:
            raise BadInput("sliding_window", "Local (sliding-window) layers need a sliding window size.")
        if self.moe_layers is not None and not 0 <= self.moe_layers <= self.layers:
            raise BadInput("moe_layers", f"MoE layers must be between 0 and {self.layers}.")
        if self.n_moe_layers < self.layers and self.n_moe_layers and self.dense_ffn < 1:
            raise BadInput("dense_ffn", "A model with dense and MoE layers needs the dense layers' width (dense_ffn).")
        if self.mla and (self.qk_rope_head_dim < 1 or self.v_head_dim < 1 or self.qk_nope_head_dim < 1):
            raise BadInput(
                "kv_lora_rank",
                "Multi-head latent attention needs qk_rope_head_dim, qk_nope_head_dim and v_head_dim as well.",
                "Copy them from the model's config.json.",
            )


@dataclass(frozen=True)
class ParamCount:
    total: int
    active: int
    embedding: int
    per_layer: int


def parameter_count(m: ModelSpec) -> ParamCount:
    """Count parameters from the architecture (see the module docstring for the formula)."""
    m.check()
    h, hd = m.hidden, m.head_dim
    q = h * m.heads * hd
    kv = 2 * h * m.kv_heads * hd
    o = m.heads * hd * h
    if m.arch == "encoder":
        attn = q + kv + o + m.heads * hd * 3 + h  # Q/K/V/O biases (here heads x hd == hidden)
        mlp_one = 2 * h * m.ffn + m.ffn + h
        norms = m.norms_per_layer * 2 * h  # LayerNorm weight and bias
        embedding = (m.vocab + m.max_positions + m.type_vocab) * h + 2 * h
        extra = h * h + h  # pooler
    else:
        attn = q + kv + o + ((m.heads + 2 * m.kv_heads) * hd if m.qkv_bias else 0)
        if m.mla:
            qk = m.qk_nope_head_dim + m.qk_rope_head_dim
            q_part = (
                h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * m.heads * qk if m.q_lora_rank else h * m.heads * qk
            )
            kv_part = h * (m.kv_lora_rank + m.qk_rope_head_dim) + m.kv_lora_rank
            kv_part += m.kv_lora_rank * m.heads * (m.qk_nope_head_dim + m.v_head_dim)
            attn = q_part + kv_part + m.heads * m.v_head_dim * h
        mlp_one = 3 * h * m.ffn
        norms = m.norms_per_layer * h
        embedding = m.vocab * h * (1 if m.tied_embeddings else 2)
        extra = h  # final norm
    moe = m.n_moe_layers
    dense = m.layers - moe
    dense_mlp = mlp_one if not moe else 3 * h * m.dense_ffn
    router = h * m.experts if m.experts > 1 else 0
    moe_total = (m.experts + m.shared_experts) * mlp_one + router
    moe_active = (m.experts_per_token + m.shared_experts) * mlp_one + router
    per_layer = attn + norms + (moe_total if moe == m.layers and moe else dense_mlp)
    total = m.layers * (attn + norms) + moe * moe_total + dense * dense_mlp
    active = m.layers * (attn + norms) + moe * moe_active + dense * dense_mlp
    return ParamCount(
        total=total + embedding + extra,
        active=active + embedding + extra,
        embedding=embedding,
        per_layer=per_layer,
    )


@dataclass(frozen=True)
class Accelerator:
    id: str
    name: str
    memory_gb: float  # as printed on the data sheet ("80 GB"); the chips hold 80 GiB (see memory_bytes)
    bandwidth_gbs: float  # memory bandwidth, GB/s (decimal)
    bf16_tflops: float  # dense (no structured sparsity)
    fp8_tflops: float | None  # dense; None when the chip has no FP8 tensor cores
    int8_tops: float | None = None  # dense; None when not published or no INT8 tensor path
    fp4_tflops: float | None = None  # dense; None when the chip has no FP4 tensor cores

    def memory_bytes(self, binary: bool = True) -> float:
        """Bytes of device memory.  HBM and GDDR are built from power-of-two DRAM dies, so the data
        sheet's "80 GB" is 80 GiB (an H100 reports 81,559 MiB to nvidia-smi): ``binary`` is the
        default; ``binary=False`` gives the decimal reading (10^9 bytes per GB)."""
        return self.memory_gb * (2**30 if binary else 10**9)

    def rate(self, kind: str) -> float | None:
        """Dense tensor rate (TFLOP/s or TOP/s) of one rate class, or None when the chip lacks it."""
        return {"bf16": self.bf16_tflops, "fp8": self.fp8_tflops, "int8": self.int8_tops, "fp4": self.fp4_tflops}[kind]

    def tflops(self, dtype_id: str) -> float:
        """Dense rate for training in one format (both operands in it): FP8 on FP8 tensor cores, else BF16."""
        if dtype_id == "fp8" and self.fp8_tflops:
            return self.fp8_tflops
        return self.bf16_tflops


@dataclass(frozen=True)
class Dtype:
    id: str
    name: str
    bytes: float  # bytes per element, scales included (INT4 with a 16-bit scale per group)
    rate: str = "bf16"  # tensor rate class when both operands use this format: bf16 | fp8 | int8 | fp4
    activation: str = ""  # the activation format it is usually paired with ("" = BF16: weight-only)


@dataclass(frozen=True)
class MatmulRate:
    kind: str  # bf16 | fp8 | int8 | fp4: the rate class the multiply runs at
    tflops: float
    why: str


_WEIGHTS_FOR = {"fp8": ("fp8", "fp4"), "int8": ("int8",), "fp4": ("fp4",)}
_RATE_NAMES = {"bf16": "BF16", "fp8": "FP8", "int8": "INT8", "fp4": "FP4"}


def matmul_rate(gpu: Accelerator, weight: Dtype, activation: Dtype) -> MatmulRate:
    """The dense tensor rate a matrix multiply of ``weight`` by ``activation`` earns on ``gpu``.

    Weight-only formats (INT4 GPTQ/AWQ, weight-only INT8, MXFP4 weights with BF16 activations)
    dequantise the weights and multiply in BF16: the BF16 rate.  Only when the activations are
    8-bit too (W8A8: FP8 x FP8, or INT8 x INT8 on chips with INT8 tensor cores), or 4-bit with
    4-bit weights on FP4 tensor cores, does the multiply earn the narrower rate; a chip without
    that tensor path falls back to BF16."""
    a, wk = activation.rate, weight.rate
    bf16 = MatmulRate("bf16", gpu.bf16_tflops, "")
    if a == "bf16":
        why = (
            f"weights in {weight.name}, activations in BF16: the weights are dequantised and multiplied in BF16"
            if weight.bytes < 2
            else f"{weight.name} x BF16"
        )
        return MatmulRate("bf16", gpu.bf16_tflops, why)
    if wk not in _WEIGHTS_FOR.get(a, ()):
        return MatmulRate(
            "bf16",
            bf16.tflops,
            f"{weight.name} weights with {activation.name} activations have no common narrow tensor path: BF16",
        )
    t = gpu.rate(a)
    if t is None:
        return MatmulRate(
            "bf16",
            gpu.bf16_tflops,
            f"{gpu.name} has no {_RATE_NAMES[a]} tensor cores (or none published): "
            f"{weight.name} x {activation.name} runs at the BF16 rate",
        )
    return MatmulRate(a, t, f"{weight.name} x {activation.name} on {_RATE_NAMES[a]} tensor cores")


def kv_heads_per_gpu(m: ModelSpec, tp: int) -> int:
    """KV heads each GPU holds under tensor parallelism: kv_heads / tp, at least one (a head is
    replicated when there are more GPUs than KV heads; rounded up when tp does not divide them)."""
    return max(1, -(-m.kv_heads // tp))


def kv_elements_per_token_layer(m: ModelSpec, tp: int = 1) -> int:
    """Cached elements per token per layer on one GPU.

    Grouped-query attention: 2 (K and V) x KV heads per GPU x head_dim.  Multi-head latent
    attention caches one compressed latent plus the shared RoPE key per token and layer:
    kv_lora_rank + qk_rope_head_dim, the same on every tensor-parallel GPU (the latent is not
    split by head, so TP replicates it)."""
    if m.mla:
        return m.kv_lora_rank + m.qk_rope_head_dim
    return 2 * kv_heads_per_gpu(m, tp) * m.head_dim


def kv_formula(m: ModelSpec, tp: int = 1) -> str:
    if m.mla:
        return f"({m.kv_lora_rank} kv_lora_rank + {m.qk_rope_head_dim} qk_rope_head_dim)"
    return f"2 x {kv_heads_per_gpu(m, tp)} KV heads x {m.head_dim} head_dim"
