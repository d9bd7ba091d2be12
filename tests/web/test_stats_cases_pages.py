"""Case pages: list, one case, a graded attempt (CSRF-checked), field errors, the JSON twins."""

from __future__ import annotations


def _token(client, url: str) -> str:  # noqa: ANN001
    page = client.get(url)
    assert page.status_code == 200
    token = client.cookies.get("loopprep_csrf")
    assert token and f'value="{token}"' in page.text
    return token


def test_list_and_case_pages(client) -> None:  # noqa: ANN001
    r = client.get("/stats/cases")
    assert r.status_code == 200 and r.text.count('class="tile"') >= 15
    r = client.get("/stats/cases/city-level-launch")
    assert r.status_code == 200 and "difference-in-differences" in r.text.lower()
    assert 'name="num_did-estimate"' in r.text and "Card &amp; Krueger" in r.text
    assert client.get("/stats/cases/nope").status_code == 404


def test_attempt_is_graded_and_listed(client) -> None:  # noqa: ANN001
    url = "/stats/cases/city-level-launch"
    token = _token(client, url)
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "answer": "DiD with parallel trends.",
            "num_did-estimate": "0.15",
            "checked": ["0", "4"],
        },
    )
    assert r.status_code == 200
    assert "Numeric: 1 of 1 correct" in r.text and "checklist: 2 of 6 covered" in r.text
    assert "Your attempts" in r.text
    api = client.get("/api/stats/cases/city-level-launch").json()
    assert api["attempts"][0]["numeric_correct"] == 1
    assert (
        next(c for c in client.get("/api/stats/cases").json()["cases"] if c["id"] == "city-level-launch")["attempts"]
        == 1
    )


def test_attempt_errors(client) -> None:  # noqa: ANN001
    url = "/stats/cases/city-level-launch"
    token = _token(client, url)
    r = client.post(url, data={"csrf_token": token, "num_did-estimate": "lots"})
    assert r.status_code == 422 and 'id="did-estimate-error"' in r.text and 'value="lots"' in r.text
    r = client.post(url, data={"csrf_token": "forged", "num_did-estimate": "0.15"})
    assert r.status_code == 403
