"""Pydantic schemas for every content file.

Every file under ``content/data`` (and every file in a user's content directory) is a YAML
document with a ``kind`` naming the schema below.  Models forbid unknown fields so a typo is an
error, not a silently ignored key.  Ids are kebab-case slugs and stable: later features refer to
them from plans, cards and sessions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from loopprep.domain import CompanyType, Level, Role, RoundId, Tier

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- sources -------------------------------------------------------------------------------


LINK_SCHEMES = ("http://", "https://", "mailto:")


def _link_url(value: str | None) -> str | None:
    """Only http(s) and mailto URLs may become links: a ``javascript:`` or ``data:`` URL in a
    user's file would run script in loopprep's own pages."""
    if value is not None and not value.strip().lower().startswith(LINK_SCHEMES):
        raise ValueError("a source's url must start with http://, https:// or mailto:")
    return value


class Source(Strict):
    """A reference a fact can be cited to."""

    id: Slug
    title: Text
    author: str | None = None
    url: Annotated[str | None, AfterValidator(_link_url)] = None
    note: str | None = Field(None, description="What loopprep takes from this source")


class SourcesFile(Strict):
    kind: Literal["sources"]
    entries: list[Source]


# --- rounds --------------------------------------------------------------------------------


class FocusArea(Strict):
    id: Slug
    title: Text
    detail: Text


class MinuteRange(Strict):
    min: int = Field(ge=1, le=240)
    max: int = Field(ge=1, le=240)

    @model_validator(mode="after")
    def _ordered(self) -> MinuteRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Frequency(Strict):
    """How many rounds of this kind a loop has, in a given context."""

    where: Text
    min: int = Field(ge=0, le=5)
    max: int = Field(ge=0, le=5)

    @model_validator(mode="after")
    def _ordered(self) -> Frequency:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class LevelExpectation(Strict):
    levels: list[Level] = Field(min_length=1)
    text: Text


class Round(Strict):
    id: RoundId
    number: int = Field(ge=1, le=len(RoundId))
    title: Text
    tagline: Text
    summary: Text
    focus_areas: list[FocusArea] = Field(min_length=3)
    duration: MinuteRange
    frequency: list[Frequency] = Field(min_length=1)
    from_level: Level
    expectations: list[LevelExpectation] = Field(min_length=1)
    sources: list[Slug] = Field(min_length=1)


class RoundsFile(Strict):
    kind: Literal["rounds"]
    entries: list[Round]


# --- levels: company ladders mapped onto loopprep's three levels ---------------------------


class LadderRung(Strict):
    """One company's title(s) for a loopprep level."""

    company: Text
    titles: Text = Field(description="The company's level names, e.g. 'L5' or 'E5' or '63-64'")


class LevelBand(Strict):
    """What one loopprep level means, which bar and preparation split it takes, and the company
    levels it stands for.  Every other file that names levels (the bar's sides, the weights'
    level splits, frameworks' split items) must agree with these bands; the loader checks it."""

    id: Level
    seniority: Literal["mid-level", "senior", "staff"]
    meaning: Text = Field(description="One or two sentences: the scope someone at this level owns")
    bar_side: Slug = Field(description="The bar.yaml side that grades this level")
    split: Slug = Field(description="The weights.yaml level split this level takes")
    ladders: list[LadderRung] = Field(min_length=3)


class LevelsFile(Strict):
    kind: Literal["levels"]
    intro: Text
    bands: list[LevelBand] = Field(min_length=len(Level), max_length=len(Level))
    companies_note: Text = Field(description="How the ladders were matched, and their caveats")
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_level_once(self) -> LevelsFile:
        if sorted(b.id.value for b in self.bands) != sorted(lv.value for lv in Level):
            raise ValueError("bands must describe each of l4, l5 and l6-plus exactly once")
        companies = [[r.company for r in b.ladders] for b in self.bands]
        if any(c != companies[0] for c in companies):
            raise ValueError("every band must list the same companies in the same order")
        return self

    def band(self, level: Level) -> LevelBand:
        return next(b for b in self.bands if b.id == level)

    def levels_with(self, *, bar_side: str | None = None, split: str | None = None) -> list[Level]:
        return [
            b.id
            for b in self.bands
            if (bar_side is None or b.bar_side == bar_side) and (split is None or b.split == split)
        ]


# --- the bar -------------------------------------------------------------------------------


class BarSide(Strict):
    id: Slug
    name: Text
    levels: list[Level] = Field(min_length=1)
    titles: Text
    summary: Text


class BarDimension(Strict):
    id: Slug
    name: Text
    execution: Text = Field(description="What the execution bar expects (its levels: levels.yaml)")
    strategy: Text = Field(description="What the strategy bar expects (its levels: levels.yaml)")


class BiggestShift(Strict):
    id: Slug
    title: Text
    body: Text


class BarFile(Strict):
    kind: Literal["bar"]
    intro: Text
    sides: list[BarSide] = Field(min_length=2, max_length=2)
    dimensions: list[BarDimension] = Field(min_length=7)
    biggest_shift: BiggestShift
    sources: list[Slug] = Field(min_length=1)


# --- company types and roles ---------------------------------------------------------------


class CompanyEmphasis(Strict):
    """What a kind of company stresses.  ``round`` is null for an emphasis that is not a round
    of its own (research depth at AI-first labs, breadth at startups); then ``label`` is null."""

    id: Slug
    topic: Text
    round: RoundId | None = None
    label: Slug | None = Field(None, description="A weight label from weights.yaml")
    detail: Text

    @model_validator(mode="after")
    def _label_with_round(self) -> CompanyEmphasis:
        if (self.round is None) != (self.label is None):
            raise ValueError("give both 'round' and 'label', or neither")
        return self


class CompanyProfile(Strict):
    id: CompanyType
    name: Text
    examples: list[Text] = Field(min_length=1)
    summary: Text
    emphases: list[CompanyEmphasis] = Field(min_length=2)
    differentiator: Text
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_label_per_round(self) -> CompanyProfile:
        rounds = [e.round for e in self.emphases if e.round is not None]
        dupes = {r.value for r in rounds if rounds.count(r) > 1}
        if dupes:
            raise ValueError(f"round(s) {sorted(dupes)} labelled more than once")
        return self


class CompaniesFile(Strict):
    kind: Literal["companies"]
    entries: list[CompanyProfile]


class RoleRound(Strict):
    round: RoundId
    tier: Tier
    rounds_per_loop: Text
    detail: Text


class RoleProfile(Strict):
    id: Role
    name: Text
    tagline: Text
    rounds: list[RoleRound] = Field(min_length=len(RoundId), max_length=len(RoundId))
    focus: Text
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_round_once(self) -> RoleProfile:
        seen = sorted(r.round.value for r in self.rounds)
        if seen != sorted(r.value for r in RoundId):
            raise ValueError(f"a role must place each of the {len(RoundId)} rounds exactly once")
        return self


class RolesFile(Strict):
    kind: Literal["roles"]
    entries: list[RoleProfile]


# --- weights: the table that turns the sources' labels into numbers -------------------------


class WeightLabel(Strict):
    id: Slug
    points: float = Field(gt=0, le=10)
    reason: Text


class LevelSplit(Strict):
    """The sources' junior/senior preparation split, as the coding share of design + coding."""

    id: Slug
    levels: list[Level] = Field(min_length=1)
    coding_share: float = Field(gt=0, lt=1)
    reason: Text


class WeightsFile(Strict):
    kind: Literal["weights"]
    tiers: list[WeightLabel] = Field(description="Role tiers: primary, important, lighter")
    labels: list[WeightLabel] = Field(description="Company labels: very-heavy ... light")
    unlabelled: Slug = Field(description="Company label used where a source names no emphasis")
    unlabelled_reason: Text
    companies_rule: Text = Field(description="How several company types combine (their mean)")
    level_splits: list[LevelSplit] = Field(min_length=2)
    level_pull: float = Field(gt=0, le=1)
    level_pull_reason: Text
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> WeightsFile:
        tiers = {t.id for t in self.tiers}
        missing = sorted({t.value for t in Tier} - tiers)
        if missing:
            raise ValueError(f"tiers is missing {missing}")
        if self.unlabelled not in {label.id for label in self.labels}:
            raise ValueError(f"unlabelled '{self.unlabelled}' is not one of the labels")
        covered = [lv for s in self.level_splits for lv in s.levels]
        if sorted(covered) != sorted(Level):
            raise ValueError("level_splits must cover each level exactly once")
        return self


# --- interview-day frameworks --------------------------------------------------------------

FrameworkCategory = Literal["in-the-room", "before", "after", "preparation", "remote", "pitfalls"]


class FrameworkItem(Strict):
    id: Slug
    title: Text
    detail: Text
    minutes: int | None = Field(None, ge=0, le=120)
    example: str | None = None
    split: Slug | None = Field(
        None, description="A weights.yaml level split this item describes; the page lists its levels from levels.yaml"
    )
    do: str | None = Field(None, description="What to do (a response, a move)")
    avoid: str | None = Field(None, description="What not to do")


class FrameworkGroup(Strict):
    id: Slug
    title: Text
    intro: str | None = None
    budget_minutes: int | None = Field(None, description="If set, the items' minutes must add up to it")
    items: list[FrameworkItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _budget_adds_up(self) -> FrameworkGroup:
        if self.budget_minutes is not None:
            if any(i.minutes is None for i in self.items):
                raise ValueError("every item of a budgeted group needs 'minutes'")
            total = sum(i.minutes or 0 for i in self.items)
            if total != self.budget_minutes:
                raise ValueError(f"items add up to {total} minutes, not budget_minutes {self.budget_minutes}")
        return self


class DecisionNode(Strict):
    id: Slug
    question: Text
    yes: Slug
    no: Slug


class Framework(Strict):
    id: Slug
    title: Text
    category: FrameworkCategory
    summary: Text
    body: str | None = Field(None, description="Markdown")
    groups: list[FrameworkGroup] = Field(default_factory=list)
    decision_tree: list[DecisionNode] | None = Field(
        None, description="First node is the root; yes/no name a node or an item id"
    )
    related: list[Slug] = Field(default_factory=list)
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _tree_resolves(self) -> Framework:
        if self.decision_tree:
            items = {i.id for g in self.groups for i in g.items}
            nodes = {n.id for n in self.decision_tree}
            for node in self.decision_tree:
                for ref in (node.yes, node.no):
                    if ref not in items | nodes:
                        raise ValueError(
                            f"decision node '{node.id}' points to '{ref}', which is neither a node nor an item"
                        )
        return self

    def item_ids(self) -> set[str]:
        return {i.id for g in self.groups for i in g.items}


class FrameworksFile(Strict):
    kind: Literal["frameworks"]
    entries: list[Framework]


ContentFile = Annotated[
    SourcesFile | RoundsFile | LevelsFile | BarFile | CompaniesFile | RolesFile | WeightsFile | FrameworksFile,
    Field(discriminator="kind"),
]
KINDS = ("sources", "rounds", "levels", "bar", "companies", "roles", "weights", "frameworks")
