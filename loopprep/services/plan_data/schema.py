"""Pydantic schema for ``plan.yaml`` and its conversion into the engine's ``PlanRules``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from loopprep.content.loader import ContentBank
from loopprep.content.paths import PLAN_DIR, STATS_CASES_DIR
from loopprep.domain import RoundId
from loopprep.engines.clock import ItemKind, Phase, PhaseRule, PlanRules, TaskKind, TimelineRule
from loopprep.errors import ContentError, ContentProblem
from loopprep.judge.bank import load_bank as load_problem_bank

PLAN_FILE = PLAN_DIR / "plan.yaml"
# The stats lab's case bank, read as data (ids and titles only): the plan does not import the
# stats service, the stats service calls the plan's ``complete_item`` hook.
CASES_DIR = STATS_CASES_DIR
# The ML coding problems the plan names: the shipped bank only (a user's own problems stay out of
# the plan, so the plan does not change when a file in their directory does).  Same direction:
# the code service calls ``complete_item`` when a submission is accepted.
DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LAST_WEEK = {Phase.REVIEW, Phase.LIGHT_TOUCH, Phase.DAY_OF}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhasesSpec(Strict):
    deep_study_days: int = Field(ge=1, le=60)
    mock_days: int = Field(ge=1, le=60)
    review_days: int = Field(ge=1, le=14)
    light_touch_days: int = Field(ge=1, le=7)
    ramp_up_load: float = Field(gt=0, le=1)
    rule: Text


class TimelineSpec(Strict):
    prep_minutes: int = Field(ge=15, le=480)
    review_minutes: int = Field(ge=5, le=120)
    reset_minutes: int = Field(ge=5, le=60)
    rule: Text


class Activity(Strict):
    id: Slug
    title: Text
    url: str | None = Field(None, pattern=r"^/[a-z0-9/_-]*$", description="The page where it is done")


class KindSpec(Strict):
    id: Slug
    title: Text
    minutes: int = Field(ge=5, le=240)
    reason: Text = Field(description="Why the task takes this long")
    phases: list[Phase] = Field(min_length=1)
    item_kind: ItemKind
    rounds: list[RoundId] = []
    items: list[Slug] = []
    max_per_day: int = Field(1, ge=1, le=6)
    max_per_phase: int | None = Field(None, ge=1)
    teaches: bool = False
    reuses: bool = False
    ai_only: bool = False
    last_day: bool = Field(False, description="Only on the last day of its phase")
    label: dict[str, Text] = {}
    cases: bool = Field(False, description="Names the stats lab's cases, each at most once in the plan")
    problems: bool = Field(
        False, description="Names the ML coding problems (easiest first), each at most once in the plan"
    )

    @model_validator(mode="after")
    def _coherent(self) -> KindSpec:
        if self.teaches and LAST_WEEK & set(self.phases):
            raise ValueError("a teaching kind cannot be in review, light-touch or day-of (no new material)")
        if self.cases and self.problems:
            raise ValueError("a kind names cases or problems, not both")
        if self.cases and (self.item_kind != ItemKind.ACTIVITY or self.items or self.reuses):
            raise ValueError("a cases kind has item_kind activity, no items (the case bank's) and no reuses")
        if self.problems and (self.item_kind != ItemKind.ACTIVITY or self.items or self.reuses):
            raise ValueError("a problems kind has item_kind activity, no items (the problem bank's) and no reuses")
        banked = self.cases or self.problems
        if (self.teaches or self.reuses) and self.item_kind != ItemKind.TOPIC and not banked:
            raise ValueError("teaches/reuses need item_kind topic (or cases: true or problems: true)")
        if self.item_kind == ItemKind.TOPIC and not self.rounds:
            raise ValueError("a topic kind needs rounds")
        if self.item_kind in (ItemKind.FRAMEWORK, ItemKind.ACTIVITY) and not self.items and not banked:
            raise ValueError("a framework or activity kind needs items")
        if set(self.label) - {"early", "late"}:
            raise ValueError("label keys are early and late")
        return self


class PlanFile(Strict):
    sources: list[Slug] = Field(min_length=1)
    phases: PhasesSpec
    timeline: TimelineSpec
    activities: list[Activity] = Field(min_length=1)
    kinds: list[KindSpec] = Field(min_length=1)


@lru_cache(maxsize=1)
def load_plan_file(path: Path = PLAN_FILE) -> PlanFile:
    """Parse and validate the plan content; raise ``ContentError`` naming the entry and field."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return PlanFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = list(err["loc"])
            entry = None
            if len(loc) >= 2 and loc[0] in ("kinds", "activities") and isinstance(loc[1], int):
                entry = str(raw[loc[0]][loc[1]].get("id", loc[1]))
                loc = loc[2:]
            problems.append(ContentProblem(path.name, entry, ".".join(map(str, loc)) or None, err["msg"]))
        raise ContentError(problems) from None


@lru_cache(maxsize=1)
def load_case_index(cases_dir: Path = CASES_DIR) -> tuple[tuple[str, str], ...]:
    """The stats lab's case ids and titles, in bank order (files sorted, then file order)."""
    out: list[tuple[str, str]] = []
    for path in sorted(cases_dir.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if raw.get("kind") == "stats-cases":
            out.extend((str(c["id"]), str(c["title"])) for c in raw.get("cases", []))
    return tuple(out)


@lru_cache(maxsize=1)
def load_problem_index() -> tuple[tuple[str, str, str], ...]:
    """The shipped ML coding problems as (id, title, difficulty): easy, medium, hard, then by id.
    Problem files that break their schema are left out (``loopprep code check`` names them)."""
    problems = load_problem_bank().problems.values()
    ordered = sorted(problems, key=lambda p: (DIFFICULTY_ORDER[p.difficulty], p.id))
    return tuple((p.id, p.title, p.difficulty) for p in ordered)


def check_against_bank(
    spec: PlanFile,
    bank: ContentBank,
    cases: tuple[tuple[str, str], ...] = (),
    problems: tuple[tuple[str, str, str], ...] = (),
) -> list[ContentProblem]:
    """Every id the plan content names must exist in the content bank; activity ids, stats case
    ids and coding problem ids must all differ (all three are ``activity`` items)."""
    out: list[ContentProblem] = []
    case_ids = {c for c, _ in cases}
    problem_ids = {p[0] for p in problems}
    for a in spec.activities:
        if a.id in case_ids:
            out.append(ContentProblem(PLAN_FILE.name, a.id, "id", "an activity id equals a stats case id"))
        if a.id in problem_ids:
            out.append(ContentProblem(PLAN_FILE.name, a.id, "id", "an activity id equals a coding problem id"))
    for clash in sorted(case_ids & problem_ids):
        out.append(ContentProblem(PLAN_FILE.name, clash, "id", "a stats case id equals a coding problem id"))
    if any(k.cases for k in spec.kinds) and not cases:
        out.append(ContentProblem(PLAN_FILE.name, None, "kinds", "a cases kind needs the stats lab's case bank"))
    if any(k.problems for k in spec.kinds) and not problems:
        out.append(ContentProblem(PLAN_FILE.name, None, "kinds", "a problems kind needs the ML coding problem bank"))
    topics = {f.id for r in bank.rounds.values() for f in r.focus_areas}
    activities = {a.id for a in spec.activities}
    for s in spec.sources:
        if s not in bank.sources:
            out.append(ContentProblem(PLAN_FILE.name, None, "sources", f"unknown source '{s}'"))
    for k in spec.kinds:
        valid = {
            ItemKind.TOPIC: topics,
            ItemKind.FRAMEWORK: set(bank.frameworks),
            ItemKind.ACTIVITY: activities,
            ItemKind.ROUND: {r.value for r in RoundId},
        }[k.item_kind]
        for item in k.items:
            if item not in valid:
                out.append(ContentProblem(PLAN_FILE.name, k.id, "items", f"unknown {k.item_kind.value} '{item}'"))
    return out


def rules_from(
    bank: ContentBank,
    spec: PlanFile | None = None,
    cases: tuple[tuple[str, str], ...] | None = None,
    problems: tuple[tuple[str, str, str], ...] | None = None,
) -> PlanRules:
    """The engine's rules: the plan content checked against the content bank, the stats cases
    (bank order) and the coding problems (easiest first; default: the shipped ones)."""
    spec = spec or load_plan_file()
    cases = load_case_index() if cases is None else cases
    problems = load_problem_index() if problems is None else problems
    errors = check_against_bank(spec, bank, cases, problems)
    if errors:
        raise ContentError(errors)
    p, t = spec.phases, spec.timeline
    return PlanRules(
        kinds={
            k.id: TaskKind(
                id=k.id,
                title=k.title,
                minutes=k.minutes,
                phases=tuple(k.phases),
                item_kind=k.item_kind,
                rounds=tuple(k.rounds),
                items=tuple(k.items),
                max_per_day=k.max_per_day,
                max_per_phase=k.max_per_phase,
                teaches=k.teaches,
                reuses=k.reuses,
                ai_only=k.ai_only,
                last_day=k.last_day,
                label=dict(k.label),
                cases=k.cases,
                problems=k.problems,
            )
            for k in spec.kinds
        },
        topics={r: tuple(f.id for f in bank.rounds[r].focus_areas) for r in RoundId if r in bank.rounds},
        frameworks=frozenset(bank.frameworks),
        activities=frozenset(a.id for a in spec.activities),
        cases=tuple(c for c, _ in cases),
        problems=tuple(p[0] for p in problems),
        phases=PhaseRule(p.deep_study_days, p.mock_days, p.review_days, p.light_touch_days, p.ramp_up_load),
        timeline=TimelineRule(t.prep_minutes, t.review_minutes, t.reset_minutes),
    )
