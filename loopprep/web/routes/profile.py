"""The first-run page and the profile form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from loopprep.domain import COMPANY_LABELS, ROLE_LABELS, Level
from loopprep.errors import InvalidInput
from loopprep.services.knowledge import level_table
from loopprep.services.profile import load_profile, set_profile
from loopprep.web.deps import CSRF_FIELD, csrf_ok, ctx, now, render, today

router = APIRouter()

CHOICES = {
    "roles": list(ROLE_LABELS.items()),
    "levels": [(lv, lv.label) for lv in Level],
    "companies": list(COMPANY_LABELS.items()),
}


def _form_values(profile: Any) -> dict[str, Any]:
    if profile is None:
        return {"role": "", "level": "", "company_types": [], "loop_date": "", "target_companies": ""}
    return {
        "role": profile.role.value,
        "level": profile.level.value,
        "company_types": [c.value for c in profile.company_types],
        "loop_date": profile.loop_date.isoformat(),
        "target_companies": ", ".join(profile.target_companies),
    }


def _page(
    request: Request, *, first_run: bool, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Any:
    title = "Welcome to loopprep" if first_run else "Your profile"
    return render(
        request,
        "profile/form.html",
        status_code=status_code,
        form=True,
        title=title,
        first_run=first_run,
        values=values,
        errors=errors,
        choices=CHOICES,
        levels=level_table(ctx(request).bank),
        today=today(),
    )


@router.get("/welcome", include_in_schema=False)
def welcome(request: Request) -> Any:
    profile = load_profile(ctx(request))
    return _page(request, first_run=profile is None, values=_form_values(profile), errors={})


@router.get("/profile", include_in_schema=False)
def profile_page(request: Request) -> Any:
    profile = load_profile(ctx(request))
    return _page(request, first_run=profile is None, values=_form_values(profile), errors={})


@router.post("/profile", include_in_schema=False)
async def profile_submit(request: Request) -> Any:
    form = await request.form()
    first_run = load_profile(ctx(request)) is None
    values: dict[str, Any] = {
        "role": str(form.get("role", "")),
        "level": str(form.get("level", "")),
        "company_types": [str(v) for v in form.getlist("company_types")],
        "loop_date": str(form.get("loop_date", "")),
        "target_companies": str(form.get("target_companies", "")),
    }
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"form": "This form expired or came from another site. Check your entries and save again."}
        return _page(request, first_run=first_run, values=values, errors=errors, status_code=403)
    changes = {
        "role": values["role"] or None,
        "level": values["level"] or None,
        "company_types": values["company_types"],
        "loop_date": values["loop_date"] or None,
        "target_companies": [c.strip() for c in values["target_companies"].split(",") if c.strip()],
    }
    if not first_run:  # a full form: empty fields are errors, not "keep the old value"
        changes = {k: (v if v is not None else "") for k, v in changes.items()}
    try:
        set_profile(ctx(request), changes, today=today(), now=now())
    except InvalidInput as exc:
        return _page(request, first_run=first_run, values=values, errors=exc.fields, status_code=422)
    return RedirectResponse("/", status_code=303)
