"""Stats lab pages and /api/stats: same answers as the CLI, field errors next to the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loopprep.web.routes.stats import PAGES

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stats"


def test_api_matches_the_cli_snapshot(client) -> None:  # noqa: ANN001
    r = client.get("/api/stats/sample-size", params={"baseline": "0.2", "target": "0.25"})
    assert r.status_code == 200
    assert r.json() == json.loads((FIXTURES / "sample_size_20_25.json").read_text())


def test_api_bad_input_names_the_field(client) -> None:  # noqa: ANN001
    r = client.get("/api/stats/ci", params={"x1": "80", "n1": "70", "x2": "1", "n2": "10"})
    assert r.status_code == 422
    assert r.json()["fields"] == {"x1": "x1 (80) cannot be larger than n1 (70)."}
    assert client.get("/api/stats/nope").status_code == 422  # not one of the calculators (enum path)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_calculator_page_answers_its_defaults(client, name: str) -> None:  # noqa: ANN001
    blank = client.get(f"/stats/{name}")
    assert blank.status_code == 200 and PAGES[name]["title"] in blank.text
    defaults = {f["name"]: f["default"] for f in PAGES[name]["fields"]}
    r = client.get(f"/stats/{name}", params={"run": "1", **defaults})
    assert r.status_code == 200, r.text
    assert "Method:" in r.text and 'class="lead stats-summary"' in r.text


def test_form_error_is_shown_next_to_the_field(client) -> None:  # noqa: ANN001
    r = client.get("/stats/sample-size", params={"run": "1", "baseline": "1.5", "target": "0.3"})
    assert r.status_code == 422
    assert 'id="baseline-error"' in r.text and "between 0 and 1" in r.text
    assert 'value="1.5"' in r.text  # the user's entry is kept


def test_stats_home_lists_the_calculators(client) -> None:  # noqa: ANN001
    r = client.get("/stats")
    assert r.status_code == 200
    for name in PAGES:
        assert f'href="/stats/{name}"' in r.text


def test_did_from_an_uploaded_panel(client) -> None:  # noqa: ANN001
    page = client.get("/stats/did")
    token = client.cookies.get("loopprep_csrf")
    assert token and f'value="{token}"' in page.text
    rows = ["unit,treated,post,y"]
    for u in range(20):
        t = int(u < 10)
        rows += [f"u{u},{t},0,{10 + u % 3}", f"u{u},{t},1,{11 + u % 3 + 2 * t + (u % 2) * 0.1}"]
    csv = ("\n".join(rows) + "\n").encode()
    r = client.post("/stats/did", data={"csrf_token": token}, files={"panel": ("p.csv", csv, "text/csv")})
    assert r.status_code == 200 and "clustered by unit" in r.text
    bad = b"unit,treated,post,y\nu1,1,0,abc\n"
    r = client.post("/stats/did", data={"csrf_token": token}, files={"panel": ("p.csv", bad, "text/csv")})
    assert r.status_code == 422 and 'id="panel-error"' in r.text and "column &#39;y&#39;" in r.text


def test_api_caps_list_sizes_with_a_field_error(client) -> None:  # noqa: ANN001
    # 30,000 counts used to cost seconds of CPU per GET (issue 13, item 8).
    r = client.get("/api/stats/srm", params={"counts": ",".join(["5000"] * 3000)})
    assert r.status_code == 422
    assert "at most 100 arms" in r.json()["fields"]["counts"]
    r = client.get("/api/stats/srm", params={"counts": ",".join(["5"] * 101)})
    assert r.status_code == 422
    assert "at most 100 numbers" in r.json()["fields"]["counts"]
    r = client.get("/api/stats/adjust", params={"pvalues": ",".join(["0.01"] * 1001)})
    assert r.status_code == 422
    assert "at most 1,000 numbers" in r.json()["fields"]["pvalues"]
    assert client.get("/api/stats/srm", params={"counts": ",".join(["5000"] * 100)}).status_code == 200


def test_extreme_calculator_inputs_are_field_errors_not_500(client) -> None:  # noqa: ANN001
    for name, params, field in [
        ("ci", {"kind": "binomial", "x": "5", "n": "1e20"}, "n"),
        ("mde", {"baseline": "0.1", "n": "1e308"}, "n"),
        ("sample-size", {"baseline": "0.2", "target": "0.25", "alpha": "1e-320"}, "alpha"),
        ("srm", {"counts": "1e308,1e308"}, "counts"),
        ("peeking", {"seed": "-1"}, "seed"),
    ]:
        r = client.get(f"/api/stats/{name}", params=params)
        assert r.status_code == 422, (name, r.text)
        assert field in r.json()["fields"]
        page = client.get(f"/stats/{name}", params={"run": "1", **params})
        assert page.status_code == 422 and " between " in page.text and "must" in page.text


def test_api_refuses_an_input_given_twice_or_blank(client) -> None:  # noqa: ANN001
    r = client.get("/api/stats/peeking?users_per_day=100&users_per_day=")
    assert r.status_code == 422 and "given 2 times" in r.json()["fields"]["users_per_day"]
    r = client.get("/api/stats/cuped?rho=0.5&n=")
    assert r.status_code == 422 and "blank" in r.json()["fields"]["n"]


def test_openapi_states_each_calculator_input_and_its_bounds(client) -> None:  # noqa: ANN001
    doc = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/stats/srm"]["get"]["parameters"]}
    assert params["counts"]["required"] and params["counts"]["schema"]["maxLength"] == 4000
    assert params["threshold"]["schema"]["maximum"] == 0.5
    seed = {p["name"]: p for p in doc["paths"]["/api/stats/peeking"]["get"]["parameters"]}["seed"]
    assert seed["schema"]["minimum"] == 0 and seed["schema"]["type"] == "integer"
