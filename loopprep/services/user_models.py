"""The user's own model presets: Hugging Face-style ``config.json`` files checked with bounds,
kept in the database (table ``user_model_preset``, migration 0006) and exported with the rest
of the user's data.  Before 0006 they were files under ``DATA_DIR/models``; those are copied
into the database once, when a context first opens on that data directory.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from loopprep.engines.estimate.specs import parameter_count
from loopprep.engines.estimate.steps import BadInput
from loopprep.errors import InvalidInput, LoopprepError
from loopprep.services.estimate import ModelPreset, SourceRef

if TYPE_CHECKING:
    from loopprep.services.context import AppContext

USER_MODELS_DIR = "models"  # under the data directory, before migration 0006: one config.json per model


# The keys of a Hugging Face-style config.json that loopprep reads, with bounds well past any
# real model (a 1e30-layer or 1e18-expert config is refused, not computed); StrictInt so `true`
# is not taken for 1.  Only these keys are stored.
_Count = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
_Size = Annotated[StrictInt, Field(ge=1, le=100_000_000)]


class ModelConfig(BaseModel):
    """The part of a ``config.json`` that loopprep reads (other keys are ignored)."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    model_type: str = Field("", max_length=60)
    name_or_path: str | None = Field(None, alias="_name_or_path", max_length=200)
    num_attention_heads: _Count | None = None
    n_head: _Count | None = None
    n_heads: _Count | None = None
    hidden_size: _Size | None = None
    d_model: _Size | None = None
    dim: _Size | None = None
    num_hidden_layers: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    n_layer: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    n_layers: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    sliding_window: Annotated[StrictInt, Field(ge=0, le=100_000_000)] | None = None
    use_sliding_window: StrictBool = True
    max_window_layers: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    num_key_value_heads: _Count | None = None
    head_dim: _Size | None = None
    intermediate_size: _Size | None = None
    ffn_dim: _Size | None = None
    hidden_dim: _Size | None = None
    vocab_size: _Size | None = None
    tie_word_embeddings: StrictBool | None = None
    num_local_experts: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    num_experts: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    num_experts_per_tok: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    attention_bias: StrictBool | None = None
    # mixtures of experts with a separate expert width (Qwen3-MoE, DeepSeek-V3) and shared experts
    moe_intermediate_size: _Size | None = None
    n_routed_experts: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    n_shared_experts: Annotated[StrictInt, Field(ge=0, le=100_000)] | None = None
    first_k_dense_replace: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    # multi-head latent attention (DeepSeek-V2/V3)
    kv_lora_rank: _Size | None = None
    q_lora_rank: _Size | None = None
    qk_rope_head_dim: _Size | None = None
    qk_nope_head_dim: _Size | None = None
    v_head_dim: _Size | None = None
    # which layers use the sliding window: Gemma 3 (one global layer in every `pattern`) or an
    # explicit list of layer types (gpt-oss, newer Gemma configs)
    sliding_window_pattern: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    layer_types: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10_000)] | None = None
    max_position_embeddings: _Size | None = None
    type_vocab_size: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None

    def stored(self) -> dict[str, Any]:
        """The keys given, as they were written in the config.json."""
        return self.model_dump(by_alias=True, exclude_unset=True)


def _checked_config(config: Any) -> ModelConfig:
    if not isinstance(config, dict):
        raise InvalidInput("A config.json must hold a JSON object.", field="config")
    try:
        return ModelConfig.model_validate(config)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            key = ".".join(str(p) for p in err["loc"])
            got = repr(err.get("input"))
            fields.setdefault(key, f"{err['msg']} (got {got if len(got) <= 40 else got[:40] + '...'})")
        first = next(iter(fields.items()))
        raise InvalidInput(
            f"The config's '{first[0]}' is invalid: {first[1]}.",
            "Use the config.json of a real transformer: whole numbers for sizes and counts, true/false for flags.",
            field="config",
            fields={"config": f"'{first[0]}': {first[1]}."},
        ) from None


def parse_config_text(text: str) -> dict[str, Any]:
    """Parse a config.json's text; raise ``InvalidInput`` for anything that is not a plain JSON
    object (bad syntax, NaN, integers past Python's digit limit, nesting too deep to parse)."""

    def refuse(const: str) -> Any:
        raise ValueError(f"{const} is not a JSON number")

    try:
        raw = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The config is not valid JSON (line {exc.lineno}: {exc.msg}).", field="config") from None
    except RecursionError:
        raise InvalidInput("The config nests JSON far too deeply to be a config.json.", field="config") from None
    except ValueError as exc:
        raise InvalidInput(f"The config holds a value loopprep cannot read: {exc}.", field="config") from None
    if not isinstance(raw, dict):
        raise InvalidInput("A config.json must hold a JSON object.", field="config")
    return raw


def model_from_config(config: dict[str, Any], *, model_id: str, source: str) -> ModelPreset:
    """A preset from a Hugging Face-style ``config.json`` (Llama, Mistral, Mixtral, Qwen2/Qwen3 and
    Qwen3-MoE, Gemma 2, DeepSeek-V3 with latent attention, BERT field names).  Raises
    ``InvalidInput`` naming the missing or bad key."""
    text = config.get("text_config") if isinstance(config, dict) else None
    if isinstance(text, dict) and "hidden_size" not in config:
        # multimodal configs (Gemma 3, Llama 4) keep the language model under text_config
        config = {"model_type": config.get("model_type", ""), **text}
    cfg = _checked_config(config).model_dump()

    def need(*keys: str) -> Any:
        for k in keys:
            if cfg.get(k) is not None:
                return cfg[k]
        raise InvalidInput(
            f"The config has no '{keys[0]}'.", "Use a Hugging Face config.json of a transformer model.", field="config"
        )

    model_type = cfg["model_type"]
    encoder = model_type in ("bert", "roberta", "xlm-roberta", "distilbert")
    heads = need("num_attention_heads", "n_head", "n_heads")
    hidden = need("hidden_size", "d_model", "dim")
    layers = need("num_hidden_layers", "n_layer", "n_layers")
    window = cfg["sliding_window"] if cfg["use_sliding_window"] else None
    local = 0
    if window:
        if cfg["layer_types"]:
            local = sum(t == "sliding_attention" for t in cfg["layer_types"][:layers])
        elif model_type.startswith("gemma3"):
            # one global layer in every sliding_window_pattern layers (6 when the config omits it)
            local = layers - layers // (cfg["sliding_window_pattern"] or 6)
        elif model_type.startswith("gemma2"):
            local = layers // 2
        else:
            mwl = cfg["max_window_layers"]
            local = (layers if mwl is None else mwl) if model_type.startswith("qwen2") else layers
            local = min(local, layers)
    tied = cfg["tie_word_embeddings"]
    bias = cfg["attention_bias"]
    experts = cfg["num_local_experts"] or cfg["num_experts"] or cfg["n_routed_experts"] or 1
    ffn = need("intermediate_size", "ffn_dim", "hidden_dim")
    moe: dict[str, Any] = {}
    if experts > 1 and cfg["moe_intermediate_size"]:
        # the experts' width differs from the dense MLP's; DeepSeek keeps its first k layers dense
        dense_first = cfg["first_k_dense_replace"] or 0
        moe = {"moe_layers": layers - dense_first, "dense_ffn": ffn if dense_first else 0}
        ffn = cfg["moe_intermediate_size"]
    mla: dict[str, Any] = {}
    if cfg["kv_lora_rank"]:
        mla_keys = ("kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim")
        mla = {k: cfg[k] or 0 for k in mla_keys}
    try:
        preset = ModelPreset(
            id=model_id,
            name=cfg["name_or_path"] or model_id,
            layers=layers,
            hidden=hidden,
            heads=heads,
            kv_heads=cfg["num_key_value_heads"] or heads,
            head_dim=cfg["head_dim"] or hidden // heads,
            ffn=ffn,
            vocab=need("vocab_size"),
            tied_embeddings=(encoder or model_type.startswith("gemma")) if tied is None else tied,
            sliding_window=window or None,
            local_layers=local,
            experts=experts,
            experts_per_token=cfg["num_experts_per_tok"] or 1,
            shared_experts=cfg["n_shared_experts"] or 0,
            **moe,
            **mla,
            qkv_bias=model_type.startswith("qwen2") if bias is None else bias,
            norms_per_layer=4 if model_type.startswith(("gemma2", "gemma3")) else 2,
            arch="encoder" if encoder else "decoder",
            max_context=cfg["max_position_embeddings"] or 2048,
            type_vocab=cfg["type_vocab_size"] or 0,
            source=SourceRef(title=f"your config.json ({source})", url=source),
        )
        spec = preset.spec()
        spec.check()
        parameter_count(spec)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise InvalidInput(
            f"The config's '{err['loc'][0]}' is invalid: {err['msg']} (got {err.get('input')!r}).", field="config"
        ) from None
    except BadInput as exc:
        raise InvalidInput(f"The config is inconsistent: {exc.message}", exc.hint, field="config") from None
    return preset


def read_config_file(path: Path) -> dict[str, Any]:
    """The JSON object in a config.json file; ``InvalidInput`` if it is missing or not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"No file at {path}.", "Give the path of a config.json.", field="config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read {path} ({exc}).", "Give the path of a config.json.", field="config") from None
    return parse_config_text(text)


def _slug_of(path: Path) -> str:
    stem = path.parent.name if path.name == "config.json" else path.stem
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in stem.lower()).strip("-.")[:60] or "model"


def load_config_file(path: Path) -> ModelPreset:
    return model_from_config(read_config_file(path), model_id=f"user-{_slug_of(path)}", source=str(path))


DB_SOURCE = "added in loopprep"


def _model_slug(name: str) -> str:
    slug = name.strip().lower()
    if not slug or len(slug) > 60 or not all(c.isalnum() or c in ".-" for c in slug) or slug[0] in ".-":
        raise InvalidInput(
            f"The model name {name!r} is not usable.",
            "Use 1–60 lowercase letters, digits, dots and dashes, e.g. my-llama-13b.",
            field="name",
        )
    if not slug.isascii():
        raise InvalidInput(f"The model name {name!r} is not usable.", "Use ASCII letters and digits.", field="name")
    return slug


def add_user_model(ctx: AppContext, name: str, config_text: str, *, now: dt.datetime | None = None) -> ModelPreset:
    """Save a Hugging Face-style ``config.json`` as the user model ``user-<name>`` in the
    database (replacing one of that name), after checking that it parses, its values are in
    bounds and its architecture is consistent.  Only the keys loopprep reads are kept."""
    from sqlalchemy import delete, insert

    from loopprep.store.tables import user_model_preset

    slug = _model_slug(name)
    raw = parse_config_text(config_text)
    preset = model_from_config(raw, model_id=f"user-{slug}", source=DB_SOURCE)
    stored = _checked_config(raw).stored()
    with ctx.engine.begin() as conn:
        conn.execute(delete(user_model_preset).where(user_model_preset.c.id == preset.id))
        conn.execute(
            insert(user_model_preset).values(id=preset.id, config=stored, created_at=now or dt.datetime.now(dt.UTC))
        )
    return preset


def import_model_files(ctx: AppContext, *, now: dt.datetime | None = None) -> int:
    """Once per database: copy the model presets older versions kept as files under
    ``DATA_DIR/models`` into the database (files that do not load are skipped, ids already in
    the database are kept).  The files are left where they are.  Returns how many were copied."""
    from sqlalchemy import insert, select

    from loopprep.store.tables import store_meta, user_model_preset

    folder = ctx.settings.data_dir / USER_MODELS_DIR
    if not folder.is_dir():
        return 0
    copied = 0
    with ctx.engine.begin() as conn:
        if conn.execute(select(store_meta.c.value).where(store_meta.c.key == "model_files_imported")).first():
            return 0
        have = set(conn.execute(select(user_model_preset.c.id)).scalars())
        for path in sorted(folder.glob("*.json")):
            try:
                raw = read_config_file(path)
                preset = model_from_config(raw, model_id=f"user-{_slug_of(path)}", source=str(path))
            except LoopprepError:
                continue
            if preset.id in have:
                continue
            stored = _checked_config(raw).stored()
            conn.execute(
                insert(user_model_preset).values(id=preset.id, config=stored, created_at=now or dt.datetime.now(dt.UTC))
            )
            have.add(preset.id)
            copied += 1
        conn.execute(insert(store_meta).values(key="model_files_imported", value=str(copied)))
    return copied


def user_models(ctx: AppContext) -> dict[str, ModelPreset]:
    """The user's model presets from the database (a row that no longer checks is skipped)."""
    from sqlalchemy import select

    from loopprep.store.tables import user_model_preset

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(user_model_preset).order_by(user_model_preset.c.id)).all()
    out: dict[str, ModelPreset] = {}
    for row in rows:
        try:
            out[row.id] = model_from_config(row.config, model_id=row.id, source=DB_SOURCE)
        except LoopprepError:
            continue
    return out
