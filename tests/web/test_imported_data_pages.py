"""What an import accepts, the app can show: after importing the newest export fixture (a plan
with days off and loop rounds, drills, attempts, a model preset) every page that reads it loads."""

from __future__ import annotations

import json

from loopprep.services.backup import import_document
from tests.store.test_backup_safety import V4


def test_every_page_loads_after_an_import(ctx, client) -> None:  # noqa: ANN001
    import_document(ctx, json.dumps(V4), replace=True)
    code = V4["data"]["code_attempts"][0]
    case = V4["data"]["stats_case_attempts"][0]["case_id"]
    for path in (
        "/",
        "/plan",
        "/plan.ics",
        "/api/plan",
        "/profile",
        f"/code/{code['problem_id']}",
        f"/stats/cases/{case}",
        "/estimate",
        "/api/estimate/weights?model=user-tiny-llama",
        "/estimate/drill",
    ):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    assert "user-tiny-llama" in client.get("/estimate").text
