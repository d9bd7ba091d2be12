"""The plan page (forms without JavaScript, CSRF), /api/plan and /plan.ics."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from markupsafe import escape

from tests.web.conftest import csrf

LOOP = (dt.date.today() + dt.timedelta(days=21)).isoformat()


def _profile(client) -> None:  # noqa: ANN001
    r = client.put(
        "/api/profile",
        json={"role": "data-scientist", "level": "l4", "company_types": ["product-company"], "loop_date": LOOP},
    )
    assert r.status_code == 200, r.text


FORM = {
    "weekday_minutes": "90",
    "weekend_minutes": "120",
    "weekday_start": "18:30",
    "weekend_start": "09:00",
    "time_zone": "UTC",
    "alarm_minutes": "15",
    "days_off": "",
    "rounds": "",
    "start_date": "",
}


def test_plan_page_without_profile_asks_for_one(client) -> None:  # noqa: ANN001
    r = client.get("/plan")
    assert r.status_code == 200 and "Set your profile first" in r.text


def test_create_check_off_and_replan_with_forms(client) -> None:  # noqa: ANN001
    _profile(client)
    r = client.get("/plan")
    assert "Make my plan" in r.text
    token = csrf(client)
    r = client.post("/plan", data={**FORM, "weekday_minutes": "abc", "csrf_token": token})
    assert r.status_code == 422 and "weekday_minutes" in r.text and 'aria-invalid="true"' in r.text
    r = client.post("/plan", data={**FORM, "csrf_token": "forged"})
    assert r.status_code == 403
    r = client.post("/plan", data={**FORM, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/plan"
    page = client.get("/plan")
    assert page.status_code == 200 and "Week 1 of" in page.text and "Deep study" in page.text
    assert "0 of " in page.text
    api = client.get("/api/plan/today").json()
    key = api["tasks"][0]["key"]
    assert f'id="task-{key}"' in page.text
    r = client.post(f"/plan/tasks/{key}", data={"action": "done", "week": "1", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#task-{key}")
    page = client.get("/plan")
    assert "1 of " in page.text and "status-done" in page.text
    r = client.post(f"/plan/tasks/{key}", data={"action": "done", "csrf_token": "nope"})
    assert r.status_code == 403
    r = client.post("/plan/replan", data={**FORM, "weekday_minutes": "30", "csrf_token": token})
    assert r.status_code == 303
    assert client.get("/api/plan").json()["settings"]["weekday_minutes"] == 30


def test_api_and_calendar(client) -> None:  # noqa: ANN001
    assert client.get("/plan.ics").status_code == 404
    _profile(client)
    r = client.post("/api/plan", json={"weekday_minutes": 60, "time_zone": "America/New_York"})
    assert r.status_code == 200 and r.json()["exists"]
    r = client.post("/api/plan", json={"weekday_minutes": 60})
    assert r.status_code == 400 and "A plan exists" in r.json()["message"]
    r = client.post("/api/plan/replan", json={"weekend_minutes": 2000})
    assert r.status_code == 422 and "weekend_minutes" in r.json()["fields"]
    r = client.post(
        "/api/plan/replan", content="weekday_minutes=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 415
    key = client.get("/api/plan/today").json()["tasks"][0]["key"]
    r = client.put(f"/api/plan/tasks/{key}", json={"status": "skipped"})
    assert r.status_code == 200 and r.json()["task"]["status"] == "skipped"
    r = client.put("/api/plan/tasks/nope", json={"status": "done"})
    assert r.status_code == 404
    r = client.get("/plan.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    ev = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert str(ev[f"{key}@loopprep.local"]["STATUS"]) == "CANCELLED"
    assert client.get("/plan?week=abc").status_code == 422
    dash = client.get("/")
    assert 'id="today-card"' in dash.text


def test_coding_tasks_link_to_their_problem_page(client) -> None:  # noqa: ANN001
    r = client.put(
        "/api/profile",
        json={"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": LOOP},
    )
    assert r.status_code == 200, r.text
    assert client.post("/api/plan", json={"weekday_minutes": 120, "weekend_minutes": 240}).status_code == 200
    week = client.get("/api/plan", params={"week": 1}).json()
    coding = [t for d in week["days"] for t in d["tasks"] if t["title"] == "Solve an ML coding problem"]
    assert coding and all(
        t["item_kind"] == "activity" and t["link"] == {"kind": "problem", "id": t["item"]} for t in coding
    )
    page = client.get("/plan", params={"week": "1"}).text
    first = coding[0]
    assert f'<a href="/code/{first["item"]}">{escape(first["item_title"])}</a>' in page
    problem = client.get(
        f"/code/{first['item']}"
    )  # the link leads to the problem, where solving it checks the task off
    assert problem.status_code == 200 and escape(first["item_title"]) in problem.text


def test_a_far_future_loop_date_is_a_field_error_and_never_reaches_the_plan(client) -> None:  # noqa: ANN001
    # the API fuzzer once saved a loop date in 4059 and plan creation never finished
    for far in ("4059-01-01", "9999-12-31", (dt.date.today() + dt.timedelta(days=367)).isoformat()):
        r = client.put(
            "/api/profile",
            json={"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": far},
        )
        assert r.status_code == 422 and "366 days" in r.json()["fields"]["loop_date"], r.text
    token = csrf(client)
    form = {"role": "ml-engineer", "level": "l5", "company_types": "faang", "loop_date": "4059-01-01"}
    r = client.post("/profile", data={**form, "csrf_token": token})
    assert r.status_code == 422 and "366 days" in r.text
    rounds = {"loop_rounds": [{"round": "ml-coding", "start": "9999-12-31T10:00", "minutes": 45}]}
    _profile(client)
    r = client.post("/api/plan", json=rounds)
    assert r.status_code == 422 and "loop_rounds" in r.text
