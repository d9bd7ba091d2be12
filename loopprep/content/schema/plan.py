"""The Clock's plan rules (``content/data/plan/plan.yaml``): task kinds, the phase rule and the
timeline matrix.  Turning them into the engine's ``PlanRules`` is the plan service's job."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from loopprep.domain import RoundId
from loopprep.engines.clock import ItemKind, Phase

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LAST_WEEK = {Phase.REVIEW, Phase.LIGHT_TOUCH, Phase.DAY_OF}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PhasesSpec(Strict):
    deep_study_days: int = Field(ge=1, le=60)
    mock_days: int = Field(ge=1, le=60)
    review_days: int = Field(ge=1, le=14)
    light_touch_days: int = Field(ge=1, le=7)
    ramp_up_load: float = Field(gt=0, le=1)
    rule: Text


class TimelineSpec(Strict):
    prep_minutes: int = Field(ge=15, le=480)
    review_minutes: int = Field(ge=5, le=120, description="The end-of-day review")
    note_minutes: int = Field(ge=1, le=5, description="The note in the break after a round; breaks are 5-15 minutes")
    rule: Text


class Activity(Strict):
    id: Slug
    title: Text
    page: Slug | None = Field(None, description="The named page where it is done (e.g. estimate-drill)")


class KindSpec(Strict):
    id: Slug
    title: Text
    minutes: int = Field(ge=1, le=240)
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
    kind: Literal["plan-rules"]
    sources: list[Slug] = Field(min_length=1)
    phases: PhasesSpec
    timeline: TimelineSpec
    activities: list[Activity] = Field(min_length=1)
    kinds: list[KindSpec] = Field(min_length=1)
