"""Property: whatever an import accepts, the pages that read it still load (issue 13.4)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopprep.services.backup import import_document
from loopprep.store.backup import EXPORT_VERSION, FORMAT
from tests.store.test_backup_property import SECTION_ROWS, _canonical

PAGES = (
    "/",
    "/plan",
    "/plan.ics",
    "/api/plan",
    "/api/plan/today",
    "/profile",
    "/estimate",
    "/stats/cases",
    "/code",
    "/code/stable-softmax",
    "/api/code/problems/stable-softmax",
    "/api/code/attempts",
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.fixed_dictionaries(SECTION_ROWS))
def test_pages_load_after_any_accepted_import(ctx, client, data: dict[str, list[dict[str, Any]]]) -> None:  # noqa: ANN001
    for attempt in data["code_attempts"]:  # on a shipped problem, so its page shows them
        attempt["problem_id"] = "stable-softmax"
    doc = {"format": FORMAT, "version": EXPORT_VERSION, "app_version": "t", "exported_at": "", "data": _canonical(data)}
    import_document(ctx, json.dumps(doc), replace=True)
    for path in PAGES:
        r = client.get(path)
        assert r.status_code < 500, (path, r.status_code, r.text[:400])
    for attempt in data["code_attempts"]:
        r = client.get(f"/api/code/attempts/{attempt['id']}")
        assert r.status_code == 200, r.text[:400]
