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
count ``experts_per_token`` experts instead of all of them.
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
    "only the experts used per token."
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
        mlp_one = 3 * h * m.ffn
        norms = m.norms_per_layer * h
        embedding = m.vocab * h * (1 if m.tied_embeddings else 2)
        extra = h  # final norm
    router = h * m.experts if m.experts > 1 else 0
    per_layer = attn + m.experts * mlp_one + router + norms
    active_layer = attn + m.experts_per_token * mlp_one + router + norms
    return ParamCount(
        total=m.layers * per_layer + embedding + extra,
        active=m.layers * active_layer + embedding + extra,
        embedding=embedding,
        per_layer=per_layer,
    )


@dataclass(frozen=True)
class Accelerator:
    id: str
    name: str
    memory_gb: float  # as marketed on the data sheet ("80 GB"); see memory_bytes for both readings
    bandwidth_gbs: float  # memory bandwidth, GB/s (decimal)
    bf16_tflops: float  # dense (no structured sparsity)
    fp8_tflops: float | None  # dense; None when the chip has no FP8 tensor cores

    def memory_bytes(self, binary: bool = False) -> float:
        return self.memory_gb * (2**30 if binary else 10**9)

    def tflops(self, dtype_id: str) -> float:
        if dtype_id in ("fp8", "int8", "int4", "int4-g128") and self.fp8_tflops:
            return self.fp8_tflops
        return self.bf16_tflops


@dataclass(frozen=True)
class Dtype:
    id: str
    name: str
    bytes: float  # bytes per element, scales included (INT4 with a 16-bit scale per group)


def kv_heads_per_gpu(m: ModelSpec, tp: int) -> int:
    """KV heads each GPU holds under tensor parallelism: kv_heads / tp, at least one (a head is
    replicated when there are more GPUs than KV heads; rounded up when tp does not divide them)."""
    return max(1, -(-m.kv_heads // tp))
