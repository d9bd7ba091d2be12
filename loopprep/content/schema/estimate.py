"""Estimation presets: model architectures, accelerators and number formats, each with the
source its figures come from.  Converting them into the estimate engine's values is the
estimation service's job."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    title: str
    url: str


class ModelPreset(BaseModel):
    """One model's architecture, field by field from its Hugging Face config.json."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    layers: int = Field(ge=1)
    hidden: int = Field(ge=1)
    heads: int = Field(ge=1)
    kv_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    ffn: int = Field(ge=1)
    vocab: int = Field(ge=1)
    tied_embeddings: bool = False
    sliding_window: int | None = None
    local_layers: int = 0
    experts: int = 1
    experts_per_token: int = 1
    qkv_bias: bool = False
    norms_per_layer: int = 2
    arch: Literal["decoder", "encoder"] = "decoder"
    max_context: int = Field(ge=1)
    type_vocab: int = 0
    # mixtures of experts: always-on experts, how many layers hold experts (None: all), dense layers' width
    shared_experts: int = Field(0, ge=0)
    moe_layers: int | None = Field(None, ge=0)
    dense_ffn: int = Field(0, ge=0)
    # multi-head latent attention (DeepSeek-V3); kv_lora_rank 0: ordinary attention
    kv_lora_rank: int = Field(0, ge=0)
    q_lora_rank: int = Field(0, ge=0)
    qk_rope_head_dim: int = Field(0, ge=0)
    qk_nope_head_dim: int = Field(0, ge=0)
    v_head_dim: int = Field(0, ge=0)
    note: str = ""  # what the kit simplifies, and what the config or card does not publish
    source: SourceRef


class AcceleratorPreset(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str
    name: str
    memory_gb: float = Field(gt=0)
    bandwidth_gbs: float = Field(gt=0)
    bf16_tflops: float = Field(gt=0)
    fp8_tflops: float | None = Field(gt=0)
    int8_tops: float | None = Field(None, gt=0)
    fp4_tflops: float | None = Field(None, gt=0)
    note: str = ""  # where a figure is sparse-only or not published
    source: SourceRef


class DtypePreset(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str
    name: str
    bytes: float = Field(gt=0)
    # tensor rate class when both operands use the format, and the activation format it usually pairs with
    rate: Literal["bf16", "fp8", "int8", "fp4"] = "bf16"
    activation: str = ""  # "" = BF16 activations (a weight-only format)
    note: str = ""
    source: SourceRef


class ModelsFile(BaseModel):
    """Shipped, or in a user's content directory (read-only presets beside the shipped ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: Literal["model-presets"]
    models: list[ModelPreset]


class AcceleratorsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: Literal["accelerator-presets"]
    accelerators: list[AcceleratorPreset]


class DtypesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: Literal["dtype-presets"]
    dtypes: list[DtypePreset]


class EstimatePresets(BaseModel):
    """The validated presets, by id, in file order."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    models: dict[str, ModelPreset]
    accelerators: dict[str, AcceleratorPreset]
    dtypes: dict[str, DtypePreset]
