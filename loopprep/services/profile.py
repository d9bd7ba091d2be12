"""Setting and showing the profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from loopprep.domain import COMPANY_LABELS, ROLE_LABELS, Profile
from loopprep.errors import InvalidInput
from loopprep.services.context import AppContext
from loopprep.store.locks import write_transaction
from loopprep.store.profiles import get_profile, save_profile

# How far ahead a loop date may be: a plan is made day by day up to it, and no interview loop
# is booked more than a year out.
MAX_DAYS_AHEAD = 366

FIELD_HINTS = {
    "role": "Choose ml-engineer, ai-llm-engineer or data-scientist.",
    "level": "Choose l4, l5 or l6-plus.",
    "company_types": "Choose one or more of faang, ai-first-lab, product-company, startup.",
    "loop_date": f"Give the first day of your loop as YYYY-MM-DD, from today to at most {MAX_DAYS_AHEAD} days ahead.",
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
    return profile_view(load_profile(ctx), today=today)


def profile_view(p: Profile | None, *, today: dt.date) -> ProfileView:
    """The profile with its labels and the days from ``today`` to the loop."""
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


def _validated(data: Mapping[str, Any], *, today: dt.date) -> Profile:
    errors: dict[str, str] = {}
    try:
        profile: Profile | None = Profile.model_validate(data)
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
    latest = today + dt.timedelta(days=MAX_DAYS_AHEAD)
    if profile is not None and profile.loop_date > latest:
        errors["loop_date"] = (
            f"{profile.loop_date.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead; loopprep plans at most "
            f"a year out. Give your loop's real date, {latest.isoformat()} or earlier (set it later if it is not "
            "booked yet)."
        )
    if errors or profile is None:
        first = next(iter(errors.items()))
        raise InvalidInput(
            "The profile was not saved: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            "",
            field=first[0],
            fields=errors,
        )
    return profile


def set_profile(ctx: AppContext, changes: Mapping[str, Any], *, today: dt.date, now: dt.datetime) -> Profile:
    """Validate and save the profile, and re-plan an existing plan made for another profile, in
    one transaction under the write lock (a concurrent partial change is applied after this one,
    never lost).  ``changes`` may be partial when a profile exists (the rest is kept).  Raises
    ``InvalidInput`` with a message per bad field (a loop date in the past or more than
    ``MAX_DAYS_AHEAD`` days ahead is one); nothing is saved then."""
    from loopprep.services.plan import follow_profile

    with write_transaction(ctx.engine) as conn:
        current = get_profile(conn)
        data: dict[str, Any] = current.model_dump() if current else {}
        data.update({k: v for k, v in changes.items() if v is not None})
        profile = _validated(data, today=today)
        save_profile(conn, profile, now=now)
        follow_profile(conn, ctx, profile, today=today, now=now)
    return profile
