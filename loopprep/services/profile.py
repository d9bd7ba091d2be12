"""Setting and showing the profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from loopprep.domain import COMPANY_LABELS, ROLE_LABELS, Profile
from loopprep.errors import InvalidInput
from loopprep.services.context import AppContext
from loopprep.store.profiles import get_profile, save_profile

FIELD_HINTS = {
    "role": "Choose ml-engineer, ai-llm-engineer or data-scientist.",
    "level": "Choose l4, l5 or l6-plus.",
    "company_types": "Choose one or more of faang, ai-first-lab, product-company, startup.",
    "loop_date": "Give the first day of your loop as YYYY-MM-DD, today or later.",
    "target_companies": "Give up to 20 company names, each at most 80 characters.",
}


class ProfileView(BaseModel):
    profile: Profile | None
    role_name: str | None = None
    level_name: str | None = None
    company_names: list[str] = []
    days_to_loop: int | None = None


def load_profile(ctx: AppContext) -> Profile | None:
    with ctx.engine.connect() as conn:
        return get_profile(conn)


def show_profile(ctx: AppContext, *, today: dt.date) -> ProfileView:
    p = load_profile(ctx)
    if p is None:
        return ProfileView(profile=None)
    return ProfileView(
        profile=p,
        role_name=ROLE_LABELS[p.role],
        level_name=p.level.label,
        company_names=[COMPANY_LABELS[c] for c in p.company_types],
        days_to_loop=(p.loop_date - today).days,
    )


def _friendly(err: Mapping[str, Any]) -> tuple[str, str]:
    field = str(err["loc"][0]) if err["loc"] else "profile"
    msg = err["msg"]
    if err.get("input") in ("", None) and err["type"] != "too_short":
        msg = "This field is required."
    elif err["type"] in ("enum", "literal_error"):
        msg = f"'{err.get('input')}' is not a valid choice."
    elif err["type"].startswith("date"):
        msg = f"'{err.get('input')}' is not a date."
    elif err["type"] == "missing":
        msg = "This field is required."
    elif err["type"] == "too_short" and field == "company_types":
        msg = "Choose at least one company type."
    hint = FIELD_HINTS.get(field, "")
    return field, f"{msg} {hint}".strip()


def set_profile(ctx: AppContext, changes: Mapping[str, Any], *, today: dt.date, now: dt.datetime) -> Profile:
    """Validate and save the profile.  ``changes`` may be partial when a profile exists (the rest
    is kept).  Raises ``InvalidInput`` with a message per bad field; nothing is saved then."""
    current = load_profile(ctx)
    data: dict[str, Any] = current.model_dump() if current else {}
    data.update({k: v for k, v in changes.items() if v is not None})
    errors: dict[str, str] = {}
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field, msg = _friendly(err)
            errors.setdefault(field, msg)
        profile = None
    if profile is not None and profile.loop_date < today:
        errors["loop_date"] = (
            f"{profile.loop_date.isoformat()} is in the past (today is {today.isoformat()}). "
            + FIELD_HINTS["loop_date"]
        )
    if errors or profile is None:
        first = next(iter(errors.items()))
        raise InvalidInput(
            "The profile was not saved: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            "",
            field=first[0],
            fields=errors,
        )
    with ctx.engine.begin() as conn:
        save_profile(conn, profile, now=now)
    return profile
