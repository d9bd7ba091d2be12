"""The analyser page: upload (with CSRF), the verdict, the SVG charts, field errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.web.conftest import BASE, assert_answers_during

_spec = importlib.util.spec_from_file_location(
    "stats_experiment_data", Path(__file__).parents[1] / "fixtures" / "stats" / "experiment_data.py"
)
assert _spec and _spec.loader
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)


def _token(client) -> str:  # noqa: ANN001
    page = client.get("/stats/analyze")
    assert page.status_code == 200
    token = client.cookies.get("loopprep_csrf")
    assert token and f'value="{token}"' in page.text
    return token


def test_upload_shows_verdict_chart_and_simpson_warning(client) -> None:  # noqa: ANN001
    token = _token(client)
    csv = data.experiment_csv(20000, seed=4, lift=0.02, simpson=True)
    r = client.post(
        "/stats/analyze", data={"csrf_token": token, "control": "control"}, files={"file": ("exp.csv", csv, "text/csv")}
    )
    assert r.status_code == 200, r.text
    assert 'id="verdict"' in r.text and "No sample ratio mismatch" in r.text
    assert r.text.count('<svg class="stats-chart"') == 2
    assert "Simpson&#39;s paradox" in r.text


def test_upload_with_srm_says_not_to_trust(client) -> None:  # noqa: ANN001
    token = _token(client)
    csv = data.experiment_csv(20000, seed=2, treat_share=0.53)
    r = client.post("/stats/analyze", data={"csrf_token": token}, files={"file": ("exp.csv", csv, "text/csv")})
    assert r.status_code == 200
    assert "stats-verdict bad" in r.text and "cannot be trusted" in r.text


def test_bad_file_and_missing_csrf(client) -> None:  # noqa: ANN001
    token = _token(client)
    r = client.post(
        "/stats/analyze",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"unit,variant,converted\nu1,control,1\nu2,treatment,yes\n", "text/csv")},
    )
    assert r.status_code == 422 and "Row 3, column &#39;converted&#39;" in r.text
    r = client.post(
        "/stats/analyze",
        data={"csrf_token": token, "variant_col": "arm"},
        files={"file": ("x.csv", b"unit,variant,converted\nu1,control,1\n", "text/csv")},
    )
    assert r.status_code == 422 and 'id="variant_col-error"' in r.text
    r = client.post("/stats/analyze", data={"csrf_token": token})
    assert r.status_code == 422 and 'id="file-error"' in r.text
    r = client.post("/stats/analyze", data={"csrf_token": "forged"}, files={"file": ("x.csv", b"a", "text/csv")})
    assert r.status_code == 403


def test_a_big_upload_does_not_stall_other_requests(ctx) -> None:  # noqa: ANN001
    # pandas used to run on the event loop: while a big file was analysed, every other request
    # waited (issue 13, item 6).  Here small requests keep being answered during the analysis.
    from loopprep.web.app import create_app

    csv = data.experiment_csv(600_000, seed=9, lift=0.01)

    async def big(c) -> None:  # noqa: ANN001
        await c.get("/stats/analyze")
        token = c.cookies.get("loopprep_csrf")
        r = await c.post("/stats/analyze", data={"csrf_token": token}, files={"file": ("big.csv", csv, "text/csv")})
        assert r.status_code == 200, r.text[:500]

    assert_answers_during(create_app(ctx.settings, context=ctx), big, headers={"Origin": BASE})


def test_a_plain_device_column_is_broken_down_on_the_page(client) -> None:  # noqa: ANN001
    # Used to be refused: "'ios' is not a number" (only segment_ columns were segments).
    token = _token(client)
    rows = ["unit,variant,device,converted"]
    rows += [
        f"u{i},{'treatment' if i % 2 else 'control'},{('ios', 'web')[i // 2 % 2]},{int(i % 7 == 0)}"
        for i in range(4000)
    ]
    csv = ("\n".join(rows) + "\n").encode()
    r = client.post("/stats/analyze", data={"csrf_token": token}, files={"file": ("exp.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    assert 'id="segments-note"' in r.text and "Broken down by device" in r.text
    assert "device = ios" in r.text and "device = web" in r.text
