"""The stats calculators' JSON API (/api/stats/<calculator>): one route per calculator whose
query parameters, with their bounds, come from the calculator's request model, so the OpenAPI
document states every input's range and the API fuzzer explores the edges."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from loopprep.errors import InvalidInput
from loopprep.services.stats import CALCULATORS, StatsAnswer, calculate

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
