"""The plan page, its forms (work without JavaScript), /api/plan and the /plan.ics calendar."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from loopprep.domain import OptionalWholeNumber, RoundId, Status
from loopprep.errors import InvalidInput, LoopprepError
from loopprep.services import plan as svc
from loopprep.services.profile import load_profile
from loopprep.web.deps import CSRF_FIELD, csrf_ok, ctx, is_whole_number, now, render, today, whole_number
from loopprep.web.routes.api import ERRORS, WRITE_ERRORS, require_json
from loopprep.web.urls import link_url

router = APIRouter()
STATUS_WORDS = {"done": Status.DONE, "skip": Status.SKIPPED, "undo": Status.PENDING}


def _form_values(view: svc.PlanView | None) -> dict[str, Any]:
    d = svc.DEFAULTS
    s = view.settings if view and view.settings else None
    times = s.start_times if s else d["start_times"]
    rounds = s.loop_rounds if s else []
    return {
        "start_date": "",
        "weekday_minutes": str(s.weekday_minutes if s else d["weekday_minutes"]),
        "weekend_minutes": str(s.weekend_minutes if s else d["weekend_minutes"]),
        "days_off": ", ".join(x.isoformat() for x in (s.days_off if s else [])),
        "weekday_start": times[0],
        "weekend_start": times[5],
        "time_zone": s.time_zone if s else d["time_zone"],
        "alarm_minutes": str(s.alarm_minutes if s else d["alarm_minutes"]),
        "rounds": "\n".join(f"{r.round.value}, {r.start:%Y-%m-%dT%H:%M}, {r.minutes}" for r in rounds),
    }


def _parse_form(values: dict[str, str], *, new: bool) -> svc.PlanSettingsIn:
    """Turn the form's text fields into settings; ``InvalidInput`` names the field."""
    raw: dict[str, Any] = {
        "weekday_minutes": values["weekday_minutes"] or None,
        "weekend_minutes": values["weekend_minutes"] or None,
        "time_zone": values["time_zone"] or None,
        "alarm_minutes": values["alarm_minutes"] or None,
        "days_off": [x.strip() for x in values["days_off"].replace("\n", ",").split(",") if x.strip()],
        "start_times": [values["weekday_start"] or "19:00"] * 5 + [values["weekend_start"] or "10:00"] * 2,
    }
    if new:
        raw["start_date"] = values["start_date"] or None
    rounds = []
    for n, line in enumerate(values["rounds"].splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (2, 3):
            raise InvalidInput(
                f"Round line {n} ('{line.strip()}') is not: round, YYYY-MM-DDTHH:MM, minutes.",
                field="rounds",
                fields={
                    "rounds": f"Line {n}: write round, YYYY-MM-DDTHH:MM, minutes (ml-coding, 2026-12-21T10:00, 45)."
                },
            )
        rounds.append({"round": parts[0], "start": parts[1], **({"minutes": parts[2]} if len(parts) == 3 else {})})
    raw["loop_rounds"] = rounds
    try:
        return svc.parse_settings(raw)
    except InvalidInput as exc:
        mapping = {"start_times": "weekday_start", "loop_rounds": "rounds"}
        exc.fields = {mapping.get(k, k): v for k, v in exc.fields.items()}
        raise


def _page(
    request: Request,
    *,
    view: svc.PlanView | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    week: OptionalWholeNumber = None,
) -> Any:
    app_ctx = ctx(request)
    if view is None:
        view = svc.show_plan(app_ctx, today=today(), week=week)
    return render(
        request,
        "plan/index.html",
        status_code=status_code,
        form=True,
        title="Your plan",
        view=view,
        has_profile=load_profile(app_ctx) is not None,
        values=values or _form_values(view),
        errors=errors or {},
        rounds=[r.value for r in RoundId],
    )


@router.get("/plan", include_in_schema=False)
def plan_page(request: Request, week: str | None = None) -> Any:
    n = whole_number(week, field="week", what="a week number", hint="Use /plan?week=1.") if week else None
    return _page(request, week=n)


async def _form(request: Request) -> tuple[dict[str, str], bool]:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in _form_values(None)}
    values["replace"] = str(form.get("replace", ""))
    token = form.get(CSRF_FIELD)
    return values, csrf_ok(request, token if isinstance(token, str) else None)


_EXPIRED = {"form": "This form expired or came from another site. Check your entries and send it again."}


@router.post("/plan", include_in_schema=False)
async def plan_create(request: Request) -> Any:
    values, ok = await _form(request)
    if not ok:
        return _page(request, values=values, errors=_EXPIRED, status_code=403)
    try:
        changes = _parse_form(values, new=True)
        svc.create_plan(ctx(request), changes, today=today(), now=now(), replace=values["replace"] == "1")
    except InvalidInput as exc:
        errors = exc.fields or {"form": exc.message}
        return _page(request, values=values, errors={**errors, "form": exc.message}, status_code=422)
    except LoopprepError as exc:
        return _page(request, values=values, errors={"form": f"{exc.message} {exc.hint}"}, status_code=409)
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/replan", include_in_schema=False)
async def plan_replan(request: Request) -> Any:
    values, ok = await _form(request)
    if not ok:
        return _page(request, values=values, errors=_EXPIRED, status_code=403)
    try:
        svc.replan_plan(ctx(request), _parse_form(values, new=False), today=today(), now=now())
    except InvalidInput as exc:
        return _page(request, values=values, errors={**exc.fields, "form": exc.message}, status_code=422)
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/tasks/{key}", include_in_schema=False)
async def plan_task_status(request: Request, key: str) -> Any:
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return _page(request, errors=_EXPIRED, status_code=403)
    action = str(form.get("action", ""))
    if action not in STATUS_WORDS:
        raise InvalidInput(f"'{action}' is not an action.", "Use done, skip or undo.", field="action")
    svc.set_task_status(ctx(request), key, STATUS_WORDS[action], now=now())
    back = str(form.get("week", ""))
    target = f"/plan?week={back}" if is_whole_number(back) else "/plan"
    return RedirectResponse(f"{target}#task-{key}", status_code=303)


@router.get("/plan.ics", include_in_schema=False)
def plan_ics(request: Request) -> Response:
    data = svc.calendar_ics(ctx(request), now=now(), link_path=link_url)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="loopprep-plan.ics"'},
    )


# --- JSON API (same models as `loopprep plan ... --json`) ---------------------------------------


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status = Field(description="done, skipped or pending (undo)")


@router.get("/api/plan", response_model=svc.PlanView, responses=ERRORS, tags=["api"])
def api_plan(request: Request, week: OptionalWholeNumber = None) -> svc.PlanView:
    return svc.show_plan(ctx(request), today=today(), week=week)


@router.get("/api/plan/today", response_model=svc.TodayView, tags=["api"])
def api_plan_today(request: Request) -> svc.TodayView:
    return svc.today_plan(ctx(request), today=today())


@router.post(
    "/api/plan", response_model=svc.PlanView, responses=WRITE_ERRORS, tags=["api"], dependencies=[Depends(require_json)]
)
def api_plan_create(request: Request, settings: svc.PlanSettingsIn, replace: bool = False) -> svc.PlanView:
    return svc.create_plan(ctx(request), settings, today=today(), now=now(), replace=replace)


@router.post(
    "/api/plan/replan",
    response_model=svc.PlanView,
    responses=WRITE_ERRORS,
    tags=["api"],
    dependencies=[Depends(require_json)],
)
def api_plan_replan(request: Request, settings: svc.PlanSettingsIn) -> svc.PlanView:
    return svc.replan_plan(ctx(request), settings, today=today(), now=now())


@router.put(
    "/api/plan/tasks/{key}",
    response_model=svc.StatusResult,
    responses=WRITE_ERRORS,
    tags=["api"],
    dependencies=[Depends(require_json)],
)
def api_plan_task(request: Request, key: str, body: StatusBody) -> svc.StatusResult:
    return svc.set_task_status(ctx(request), key, body.status, now=now())
