"""Every /api shape is a public contract: the paths and component schemas of the OpenAPI
document (``/api/openapi.json``: models, fields, types, required fields, status codes) are
pinned by a snapshot, so renaming or removing a field, or changing its type, fails here.  Prose
(descriptions, summaries) is left out, so rewording help text does not.  After an intended change:
``pytest tests/web/test_api_shapes.py --snapshot-update``."""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

PROSE = {"description", "summary"}


def structure(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: structure(v) for k, v in sorted(node.items()) if k not in PROSE}
    if isinstance(node, list):
        return [structure(v) for v in node]
    return node


@pytest.fixture
def openapi(sqlite_ctx) -> dict[str, Any]:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from loopprep.web.app import create_app

    with TestClient(create_app(sqlite_ctx.settings, context=sqlite_ctx), base_url="http://127.0.0.1:8000") as c:
        answer = c.get("/api/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def test_api_paths(openapi: dict[str, Any], snapshot: Any) -> None:
    assert structure(openapi["paths"]) == snapshot(extension_class=JSONSnapshotExtension)


def test_api_schemas(openapi: dict[str, Any], snapshot: Any) -> None:
    assert structure(openapi["components"]["schemas"]) == snapshot(extension_class=JSONSnapshotExtension)


def test_every_api_path_is_under_api(openapi: dict[str, Any]) -> None:
    """The snapshot covers the JSON API; pages stay out of the schema."""
    assert openapi["paths"] and all(p.startswith("/api/") for p in openapi["paths"])


def test_structure_keeps_fields_and_drops_prose() -> None:
    doc = {"properties": {"days": {"type": "integer", "description": "Days to the loop"}}, "summary": "x"}
    assert structure(doc) == {"properties": {"days": {"type": "integer"}}}
