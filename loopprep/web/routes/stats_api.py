"""The stats calculators' JSON API (/api/stats/<calculator>): one route per calculator whose
query parameters, with their bounds, come from the calculator's request model, so the OpenAPI
document states every input's range and the API fuzzer explores the edges.  Also the analyser's
upload (``POST /api/stats/analyze``, multipart), answering the page's and the CLI's model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from loopprep.errors import InvalidInput
from loopprep.services.stats import CALCULATORS, StatsAnswer, calculate
from loopprep.services.stats_analysis import AnalysisAnswer

router = APIRouter()


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI query parameters from a calculator's request model, with its bounds, so the
    docs say each input's range and the API fuzzer explores the edges."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema["properties"].items():
        branch = next((b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"), prop)
        param_schema = {k: v for k, v in branch.items() if k not in ("title", "description")}
        if prop.get("default") is not None:
            param_schema["default"] = prop["default"]
        out.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "description": prop.get("description") or branch.get("description") or name,
                "schema": param_schema,
            }
        )
    return out


def _api_query(request: Request) -> dict[str, str]:
    """The query as one value per input: the API refuses an input given twice or left blank
    (the HTML forms, not the API, send blanks for "not given")."""
    q = request.query_params
    fields = {}
    for key in q:
        values = q.getlist(key)
        if len(values) > 1:
            fields[key] = f"{key} is given {len(values)} times; give it once."
        elif not values[0].strip():
            fields[key] = f"{key} is blank; leave it out or give a value."
    if fields:
        raise InvalidInput(" ".join(fields.values()), "Fix the fields named and try again.", fields=fields)
    return dict(q)


def _calculator_route(name: str, model: type) -> Any:
    def endpoint(request: Request) -> StatsAnswer:
        return calculate(name, _api_query(request))

    endpoint.__name__ = f"api_stats_{name.replace('-', '_')}"
    endpoint.__doc__ = (
        f"Run the {name} calculator; its inputs are the query parameters (the same names as the CLI's "
        "options, with underscores): ``/api/stats/sample-size?baseline=0.2&target=0.25``."
    )
    return endpoint


for _name, (_model, _fn) in CALCULATORS.items():
    router.add_api_route(
        f"/api/stats/{_name}",
        _calculator_route(_name, _model),
        methods=["GET"],
        response_model=StatsAnswer,
        tags=["api"],
        responses={422: {"description": "A field is out of range"}},
        openapi_extra={"parameters": _query_parameters(_model)},
    )


MAX_ANALYSE_UPLOAD = 200 * 1024 * 1024  # as the page (web/middleware.py UPLOAD_LIMITS); the CLI streams bigger files
_ERROR = {"description": "", "content": {"application/json": {}}}


@router.post(
    "/api/stats/analyze",
    response_model=AnalysisAnswer,
    tags=["api"],
    responses={
        403: {**_ERROR, "description": "Cross-site request refused"},
        413: {**_ERROR, "description": "The upload is over 200 MB"},
        422: {**_ERROR, "description": "The file or a field is invalid"},
    },
)
async def api_stats_analyze(
    file: Annotated[UploadFile, File(description="The experiment CSV: unit id, variant, metric columns.")],
    control: Annotated[str, Form(min_length=1, max_length=200, description="The control variant's label.")] = "control",
    variant_col: Annotated[str, Form(min_length=1, max_length=200, description="The variant column.")] = "variant",
    unit_col: Annotated[
        str | None, Form(max_length=200, description="The unit id column (default: the first).")
    ] = None,
    split: Annotated[str | None, Form(max_length=2000, description="Planned split, control first, e.g. 50,50.")] = None,
    threshold: Annotated[float, Form(gt=0, lt=1, description="Flag SRM when its p is below this.")] = 0.001,
    adjust: Annotated[
        Literal["holm", "bonferroni", "bh", "by"], Form(description="Correction across metrics.")
    ] = "holm",
) -> AnalysisAnswer:
    """Analyse an experiment CSV sent as ``multipart/form-data`` (``curl -F file=@exp.csv``):
    the same answer as the analyser page and ``loopprep stats analyze FILE --json``.  At most
    200 MB; a cross-site browser post is refused, a script that sends no Origin is served."""
    from loopprep.services.stats_analysis import analyse_csv

    data = await file.read(MAX_ANALYSE_UPLOAD + 1)
    if len(data) > MAX_ANALYSE_UPLOAD:
        raise InvalidInput(
            "The file is over 200 MB.", "Analyse it with `loopprep stats analyze FILE`, which streams it.", field="file"
        )
    # pandas holds the CPU for seconds on a big file: a worker thread keeps the event loop free.
    return await run_in_threadpool(
        analyse_csv,
        data,
        control=control,
        variant_col=variant_col,
        unit_col=unit_col or None,
        split=split or None,
        threshold=threshold,
        adjust=adjust,
    )
