"""Estimation kit pages (/estimate/...) and JSON API (/api/estimate/...).

Calculator pages are GET forms: the inputs live in the query string, so a result's URL is
shareable and bookmarkable.  The API routes take the same names as query parameters.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from loopprep.domain import OptionalWholeNumber, WholeNumber
from loopprep.errors import InvalidInput
from loopprep.services import estimate as svc
from loopprep.services.estimate import bytes_text, num
from loopprep.services.user_models import add_user_model
from loopprep.web.deps import CSRF_FIELD, csrf_ok, ctx, now, render, today
from loopprep.web.routes.api import ERRORS, WRITE_ERRORS, require_json

router = APIRouter()
api = APIRouter(prefix="/api/estimate", tags=["estimate"])

PRESET_FIELDS = {
    "model": "models",
    "gpu": "gpus",
    "dtype": "dtypes",
    "kv_dtype": "dtypes",
    "weight_dtype": "dtypes",
    "activation_dtype": "dtypes",
}


def fmt_value(value: float | str, unit: str) -> str:
    if isinstance(value, str):
        return f"{value} {unit}".strip()
    if unit == "bytes":
        return f"{num(value)} bytes" + (f" ({bytes_text(value)})" if value >= 1000 else "")
    return f"{num(value)} {unit}"


def _fields(calc: svc.Calculator, values: dict[str, Any], presets: svc.Presets) -> list[dict[str, Any]]:
    out = []
    for name, info in calc.params.model_fields.items():
        ann = info.annotation
        field: dict[str, Any] = {
            "name": name,
            "label": info.description or name,
            "value": values.get(name, info.default),
        }
        if name in PRESET_FIELDS:
            items = getattr(presets, PRESET_FIELDS[name])
            field["kind"] = "select"
            empty = {
                "model": "— use the parameter count —",
                "activation_dtype": "— the weight format's usual pairing —",
            }
            field["options"] = (
                [("", empty[name])] if name == "activation_dtype" or (name == "model" and calc.id == "train") else []
            ) + [(k, v.name) for k, v in items.items()]
        elif typing.get_origin(ann) is typing.Literal:
            field["kind"] = "select"
            field["options"] = [(v, v) for v in typing.get_args(ann)]
        elif ann is bool:
            field["kind"] = "checkbox"
            field["value"] = str(field["value"]).lower() in ("true", "1", "on", "yes")
        else:
            field["kind"] = "number"
            meta = {type(m).__name__: m for m in info.metadata}
            field["min"] = getattr(meta.get("Ge"), "ge", None)
            if field["min"] is None and "Gt" in meta:
                field["min"] = 0
            field["max"] = getattr(meta.get("Le"), "le", None)
            field["step"] = "1" if ann is int else "any"
        out.append(field)
    return out


PAGE_CACHE_SIZE = 512
_page_cache: dict[tuple[str, int], tuple[svc.Presets, bytes]] = {}


def _calc_page(request: Request, calc_id: str) -> Any:
    """A calculator page: a pure function of the URL and the presets, so a rendered page is kept
    (bounded) and served again for the same URL."""
    calc = svc.calculator(calc_id)
    presets = svc.presets(ctx(request))
    key = (str(request.url.path) + "?" + str(request.url.query), id(presets))
    hit = _page_cache.get(key)
    if hit is not None and hit[0] is presets:
        return HTMLResponse(hit[1])
    response = _render_calc(request, calc, presets)
    if response.status_code == 200:
        if len(_page_cache) >= PAGE_CACHE_SIZE:
            _page_cache.pop(next(iter(_page_cache)))
        _page_cache[key] = (presets, bytes(response.body))
    return response


def _render_calc(request: Request, calc: svc.Calculator, presets: svc.Presets) -> Any:
    calc_id = calc.id
    raw = {k: v for k, v in request.query_params.items()}
    if "binary" in calc.params.model_fields and "binary" in raw:
        raw["binary"] = "true" if raw["binary"] in ("on", "true", "1") else "false"
    values = {**{k: f.default for k, f in calc.params.model_fields.items()}, **raw}
    errors: dict[str, str] = {}
    view = None
    labels: dict[str, str] = {}
    message = ""
    try:
        view, labels = svc.run_labelled(ctx(request), calc_id, raw)
    except InvalidInput as exc:
        errors = exc.fields or {"form": exc.message}
        message = exc.message + (" " + exc.hint if exc.hint else "")
    query = urlencode({k: v for k, v in values.items() if k in calc.params.model_fields})
    return render(
        request,
        "estimate/calc.html",
        status_code=422 if errors else 200,
        title=calc.title,
        calc=calc,
        calcs=svc.CALCULATORS,
        fields=_fields(calc, values, presets),
        view=view,
        labels=labels,
        errors=errors,
        message=message,
        fmt=fmt_value,
        share=f"/estimate/{calc_id}?{query}",
        api_url=f"/api/estimate/{calc_id}?{query}",
    )


def _index(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    added: str = "",
    status_code: int = 200,
) -> Any:
    return render(
        request,
        "estimate/index.html",
        status_code=status_code,
        form=True,
        title="Estimate",
        calcs=svc.CALCULATORS,
        presets=svc.list_presets(ctx(request)),
        fmt=fmt_value,
        values=values or {"name": "", "config": ""},
        errors=errors or {},
        added=added,
    )


@router.get("/estimate", include_in_schema=False)
def index(request: Request, added: str = "") -> Any:
    return _index(request, added=added if added.startswith("user-") else "")


@router.post("/estimate/models", include_in_schema=False)
async def add_model(request: Request) -> Any:
    form = await request.form()
    values = {"name": str(form.get("name", "")), "config": str(form.get("config", ""))}
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"config": "This form expired or came from another site. Paste the config again."}
        return _index(request, values=values, errors=errors, status_code=403)
    try:
        preset = add_user_model(ctx(request), values["name"], values["config"])
    except InvalidInput as exc:
        errors = exc.fields or {"config": exc.message}
        errors = {k: f"{v} {exc.hint}".strip() for k, v in errors.items()}
        return _index(request, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/estimate?added={preset.id}#models", status_code=303)


@router.get("/estimate/check", include_in_schema=False)
def check_page(request: Request) -> Any:
    return render(request, "estimate/check.html", title="Check the numbers", view=svc.check_the_numbers())


def _drill_page(
    request: Request,
    drill: svc.DrillView,
    *,
    result: svc.DrillResult | None = None,
    errors: dict[str, str] | None = None,
    answer: str = "",
    status_code: int = 200,
) -> Any:
    return render(
        request,
        "estimate/drill.html",
        status_code=status_code,
        form=True,
        title="Estimation drill",
        drill=drill,
        result=result,
        errors=errors or {},
        answer=answer,
        issued=now().timestamp(),
        history=svc.drill_history(ctx(request), recent=10),
        kinds=svc.kinds(),
        fmt=fmt_value,
    )


@router.get("/estimate/drill", include_in_schema=False)
def drill_page(request: Request, kind: str = "", seed: str = "") -> Any:
    try:
        seed_n = int(seed) if seed else None
    except ValueError:
        raise InvalidInput(f"'seed' must be a whole number (got {seed!r}).", field="seed") from None
    return _drill_page(request, svc.new_drill(ctx(request), kind=kind or None, seed=seed_n))


@router.post("/estimate/drill", include_in_schema=False)
async def drill_submit(request: Request) -> Any:
    form = await request.form()
    kind, seed_text, answer = str(form.get("kind", "")), str(form.get("seed", "")), str(form.get("answer", ""))
    try:
        seed = int(seed_text)
        drill = svc.new_drill(ctx(request), kind=kind, seed=seed)
    except (ValueError, InvalidInput):
        raise InvalidInput(
            "This drill form is damaged (unknown type or seed).", "Start a new drill from /estimate/drill."
        ) from None
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"answer": "This form expired or came from another site. Answer again."}
        return _drill_page(request, drill, errors=errors, answer=answer, status_code=403)
    try:
        issued = float(str(form.get("issued", "")))
        seconds: float | None = max(0.0, now().timestamp() - issued)
    except ValueError:
        seconds = None
    try:
        value = svc.parse_answer(answer)
        result = svc.answer_drill(
            ctx(request), kind=kind, seed=seed, answer=value, now=now(), seconds=seconds, today=today()
        )
    except InvalidInput as exc:
        return _drill_page(
            request, drill, errors={"answer": f"{exc.message} {exc.hint}".strip()}, answer=answer, status_code=422
        )
    return _drill_page(request, drill, result=result, answer=answer)


@router.get("/estimate/{calc_id}", include_in_schema=False)
def calc_page(request: Request, calc_id: str) -> Any:
    return _calc_page(request, calc_id)


# ------------------------------------------------------------------------------------- API


@api.get("/presets", response_model=svc.PresetsView, summary="Models, accelerators and dtypes with sources")
def api_presets(request: Request) -> svc.PresetsView:
    return svc.list_presets(ctx(request))


@api.get("/check", response_model=svc.CheckView, summary="The chapter's §129.5 claims, checked")
def api_check() -> svc.CheckView:
    return svc.check_the_numbers()


class DrillQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = Field(None, max_length=20)
    seed: OptionalWholeNumber = Field(None, ge=0, le=2**31 - 1)


@api.get("/drill", response_model=svc.DrillView, responses=ERRORS, summary="A new drill (the type you miss most)")
def api_new_drill(request: Request, q: Annotated[DrillQuery, Query()]) -> svc.DrillView:
    return svc.new_drill(ctx(request), kind=q.kind, seed=q.seed)


class DrillAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20)
    seed: WholeNumber = Field(ge=0, le=2**31 - 1)
    answer: float = Field(gt=0, le=1e300)
    seconds: float | None = Field(None, ge=0, le=86_400)


@api.post(
    "/drill",
    response_model=svc.DrillResult,
    responses=WRITE_ERRORS,
    dependencies=[Depends(require_json)],
    summary="Grade and record an answer",
)
def api_answer_drill(request: Request, body: DrillAnswer) -> svc.DrillResult:
    return svc.answer_drill(
        ctx(request), kind=body.kind, seed=body.seed, answer=body.answer, seconds=body.seconds, now=now()
    )


@api.get("/drills/history", response_model=svc.DrillHistory, summary="Drill accuracy by type and recent attempts")
def api_history(request: Request) -> svc.DrillHistory:
    return svc.drill_history(ctx(request))


JSON_CACHE_SIZE = 2048
_json_cache: dict[tuple[str, str, int], tuple[svc.Presets, bytes]] = {}


def _api_route(calc: svc.Calculator) -> Callable[..., Response]:
    model = calc.params

    def endpoint(request: Request, params: Any) -> Response:
        # The body is the EstimateView as JSON; the serialised bytes of recent answers are kept
        # (same key as the service's cache), so a repeated query costs no model serialisation.
        presets = svc.presets(ctx(request))
        key = (calc.id, params.model_dump_json(), id(presets))
        hit = _json_cache.get(key)
        if hit is None or hit[0] is not presets:
            body = svc.run(ctx(request), calc.id, params).model_dump_json().encode()
            if len(_json_cache) >= JSON_CACHE_SIZE:
                _json_cache.pop(next(iter(_json_cache)))
            hit = _json_cache[key] = (presets, body)
        return Response(hit[1], media_type="application/json")

    # The parameter model is chosen per calculator at run time, so set the annotations as objects.
    endpoint.__annotations__ = {"request": Request, "params": Annotated[model, Query()], "return": Response}

    endpoint.__name__ = f"api_estimate_{calc.id.replace('-', '_')}"
    return endpoint


for _calc in svc.CALCULATORS.values():
    api.add_api_route(
        f"/{_calc.id}",
        _api_route(_calc),
        methods=["GET"],
        response_model=svc.EstimateView,
        responses=ERRORS,
        summary=_calc.title,
        description=_calc.blurb,
    )

router.include_router(api)
