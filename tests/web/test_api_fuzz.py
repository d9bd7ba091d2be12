"""Property-based fuzz of the JSON API from its own OpenAPI schema: no input makes it fail,
every response matches the schema (status codes, content types, bodies, Allow headers)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from loopprep.web.app import create_app


@pytest.fixture
def api_schema(sqlite_ctx):  # noqa: ANN001, ANN201
    cfg = sqlite_ctx.settings.model_copy(update={"allowed_hosts": ["testserver", "localhost"]})
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(cfg, context=sqlite_ctx))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_schema(case) -> None:  # noqa: ANN001
    # A loop date in the past is schema-valid but refused by a rule (422): that check is off.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
