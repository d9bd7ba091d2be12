"""A config.json pasted on the estimation page: absurd or malformed values are field errors."""

from __future__ import annotations

from tests.services.test_user_models import BAD_CONFIGS


def test_web_upload_of_absurd_configs_is_a_field_error(client) -> None:  # noqa: ANN001
    client.get("/estimate")
    token = client.cookies.get("loopprep_csrf")
    for text, named in BAD_CONFIGS.values():
        r = client.post("/estimate/models", data={"csrf_token": token, "name": "bad", "config": text})
        assert r.status_code == 422, text[:60]
        assert 'id="config-error"' in r.text and named in r.text
    assert "user-bad" not in client.get("/api/estimate/presets").text
