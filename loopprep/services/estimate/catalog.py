"""Estimation presets: the shipped models, accelerators and dtypes plus the user's own models, and their listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from loopprep.content.schema import estimate as schema
from loopprep.content.schema.estimate import DtypePreset, SourceRef
from loopprep.engines.estimate import drills
from loopprep.engines.estimate.specs import (
    PARAMETER_FORMULA,
    Accelerator,
    Dtype,
    ModelSpec,
    kv_elements_per_token_layer,
    parameter_count,
)
from loopprep.errors import InvalidInput

if TYPE_CHECKING:  # kept out of import time: `loopprep --help` builds the estimate commands from this module
    from loopprep.content.loader import ContentBank
    from loopprep.services.context import AppContext


class ModelPreset(schema.ModelPreset):
    """A model preset (the content schema) with its conversion into the engine's ``ModelSpec``."""

    def spec(self) -> ModelSpec:
        return ModelSpec(
            id=self.id,
            name=self.name,
            layers=self.layers,
            hidden=self.hidden,
            heads=self.heads,
            kv_heads=self.kv_heads,
            head_dim=self.head_dim,
            ffn=self.ffn,
            vocab=self.vocab,
            tied_embeddings=self.tied_embeddings,
            sliding_window=self.sliding_window,
            local_layers=self.local_layers,
            experts=self.experts,
            experts_per_token=self.experts_per_token,
            qkv_bias=self.qkv_bias,
            norms_per_layer=self.norms_per_layer,
            arch=self.arch,
            max_positions=self.max_context if self.arch == "encoder" else 0,
            type_vocab=self.type_vocab,
            shared_experts=self.shared_experts,
            moe_layers=self.moe_layers,
            dense_ffn=self.dense_ffn,
            kv_lora_rank=self.kv_lora_rank,
            q_lora_rank=self.q_lora_rank,
            qk_rope_head_dim=self.qk_rope_head_dim,
            qk_nope_head_dim=self.qk_nope_head_dim,
            v_head_dim=self.v_head_dim,
        )


class AcceleratorPreset(schema.AcceleratorPreset):
    """An accelerator preset with its conversion into the engine's ``Accelerator``."""

    def spec(self) -> Accelerator:
        return Accelerator(
            self.id,
            self.name,
            self.memory_gb,
            self.bandwidth_gbs,
            self.bf16_tflops,
            self.fp8_tflops,
            int8_tops=self.int8_tops,
            fp4_tflops=self.fp4_tflops,
        )


@dataclass(frozen=True)
class Presets:
    models: dict[str, ModelPreset]
    gpus: dict[str, AcceleratorPreset]
    dtypes: dict[str, DtypePreset]

    def model(self, name: str, field: str = "model") -> ModelSpec:
        if name not in self.models:
            raise InvalidInput(f"Unknown model '{name}'.", f"Known models: {', '.join(self.models)}.", field=field)
        return self.models[name].spec()

    def gpu(self, name: str, field: str = "gpu") -> Accelerator:
        if name not in self.gpus:
            raise InvalidInput(f"Unknown GPU '{name}'.", f"Known GPUs: {', '.join(self.gpus)}.", field=field)
        return self.gpus[name].spec()

    def dtype(self, name: str, field: str = "dtype") -> Dtype:
        if name not in self.dtypes:
            raise InvalidInput(f"Unknown dtype '{name}'.", f"Known dtypes: {', '.join(self.dtypes)}.", field=field)
        d = self.dtypes[name]
        return Dtype(d.id, d.name, d.bytes, rate=d.rate, activation=d.activation)

    def activation(self, name: str, weight: str) -> Dtype:
        """The activation format: ``name``, or (empty) the weight format's usual pairing (BF16 for weight-only)."""
        if name:
            return self.dtype(name, "activation_dtype")
        paired = self.dtypes[weight].activation if weight in self.dtypes else ""
        return self.dtype(paired or "bf16", "activation_dtype")

    def world(self) -> drills.DrillWorld:
        return drills.DrillWorld(
            models=[m.spec() for m in self.models.values() if not m.id.startswith("user-")],
            gpus=[g.spec() for g in self.gpus.values()],
            dtypes={k: self.dtype(k) for k in self.dtypes},
        )


def shipped_presets(bank: ContentBank) -> Presets:
    """The shipped presets plus the read-only model presets of the user's content directory,
    converted for the calculators.  Built once per context: use ``ctx.shipped_presets``."""
    models = {**bank.estimate.models, **bank.user_models}
    return Presets(
        models={k: ModelPreset.model_validate(m.model_dump()) for k, m in models.items()},
        gpus={k: AcceleratorPreset.model_validate(g.model_dump()) for k, g in bank.estimate.accelerators.items()},
        dtypes=dict(bank.estimate.dtypes),
    )


def _base_presets(ctx: AppContext | None) -> Presets:
    if ctx is not None:
        return ctx.shipped_presets
    from loopprep.content.loader import load_bank

    return shipped_presets(load_bank())


def presets(ctx: AppContext | None = None, *, extra: Sequence[ModelPreset] = ()) -> Presets:
    """Shipped presets plus the user's models from the database (ids ``user-<name>``; on an id
    clash the user's wins) plus ``extra`` (a config.json given on the command line)."""
    from loopprep.services.user_models import user_models

    base = _base_presets(ctx)
    mine = user_models(ctx) if ctx is not None else {}
    if not mine and not extra:
        return base
    models = {**base.models, **mine, **{m.id: m for m in extra}}
    return Presets(models=models, gpus=base.gpus, dtypes=base.dtypes)


class ModelRow(BaseModel):
    id: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tied_embeddings: bool
    sliding_window: int | None
    local_layers: int
    experts: int
    experts_per_token: int
    max_context: int
    shared_experts: int
    kv_lora_rank: int
    qk_rope_head_dim: int
    note: str
    parameters: int
    active_parameters: int
    kv_bytes_per_token_bf16: int
    source: SourceRef


class GpuRow(BaseModel):
    id: str
    name: str
    memory_gb: float
    memory_bytes_decimal: int
    memory_bytes_binary: int
    bandwidth_gbs: float
    bf16_tflops: float
    fp8_tflops: float | None
    int8_tops: float | None
    fp4_tflops: float | None
    note: str
    source: SourceRef


class DtypeRow(BaseModel):
    id: str
    name: str
    bytes: float
    rate: str
    activation: str
    note: str
    source: SourceRef


class PresetsView(BaseModel):
    models: list[ModelRow]
    gpus: list[GpuRow]
    dtypes: list[DtypeRow]
    parameter_formula: str


def list_presets(ctx: AppContext | None = None, *, extra: Sequence[ModelPreset] = ()) -> PresetsView:
    p = presets(ctx, extra=extra)
    rows = []
    for m in p.models.values():
        spec = m.spec()
        pc = parameter_count(spec)
        rows.append(
            ModelRow(
                **m.model_dump(include=set(ModelRow.model_fields) - {"parameters", "active_parameters", "source"}),
                parameters=pc.total,
                active_parameters=pc.active,
                kv_bytes_per_token_bf16=spec.layers * kv_elements_per_token_layer(spec) * 2,
                source=m.source,
            )
        )
    gpus = [
        GpuRow(
            **g.model_dump(),
            memory_bytes_decimal=round(g.memory_gb * 10**9),
            memory_bytes_binary=round(g.memory_gb * 2**30),
        )
        for g in p.gpus.values()
    ]
    return PresetsView(
        models=rows,
        gpus=gpus,
        dtypes=[DtypeRow(**d.model_dump()) for d in p.dtypes.values()],
        parameter_formula=PARAMETER_FORMULA,
    )
