"""The knowledge base of the loop as page-shaped results (web, CLI and /api share them)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from loopprep.content.loader import ContentBank
from loopprep.content.schema import (
    BarDimension,
    BarSide,
    BiggestShift,
    CompanyProfile,
    Framework,
    Frequency,
    LadderRung,
    MinuteRange,
    RoleProfile,
    Round,
    Source,
)
from loopprep.domain import COMPANY_LABELS, CompanyType, Level, Role, RoundId, Tier
from loopprep.errors import NotFound

CATEGORY_TITLES = {
    "before": "Before the interview",
    "in-the-room": "In the room",
    "remote": "Remote loops",
    "after": "After the interview",
    "preparation": "How to prepare",
    "pitfalls": "Statistical pitfalls",
}


class RoundSummary(BaseModel):
    id: RoundId
    number: int
    title: str
    tagline: str
    duration: MinuteRange
    frequency: list[Frequency]
    from_level: Level


class RoundsView(BaseModel):
    rounds: list[RoundSummary]


class RoleUse(BaseModel):
    role: Role
    name: str
    tier: Tier
    rounds_per_loop: str
    detail: str


class CompanyUse(BaseModel):
    company: CompanyType
    name: str
    topic: str
    label: str
    detail: str


class RoundView(BaseModel):
    round: Round
    roles: list[RoleUse]
    companies: list[CompanyUse]
    sources: list[Source]


class LevelRow(BaseModel):
    """One loopprep level: what it means and the company levels it stands for."""

    level: Level
    label: str
    seniority: str
    name: str = Field(description="The level with its seniority, e.g. 'L5 (senior)'")
    meaning: str
    bar_side: str
    split: str
    ladders: list[LadderRung]


class LevelsView(BaseModel):
    intro: str
    companies: list[str]
    rows: list[LevelRow]
    note: str
    sources: list[Source]


class BarView(BaseModel):
    intro: str
    levels: LevelsView
    sides: list[BarSide]
    dimensions: list[BarDimension]
    biggest_shift: BiggestShift
    sources: list[Source]


class CompaniesView(BaseModel):
    companies: list[CompanyProfile]
    sources: list[Source]


class RolesView(BaseModel):
    roles: list[RoleProfile]
    round_titles: dict[RoundId, str]
    sources: list[Source]


class FrameworkSummary(BaseModel):
    id: str
    title: str
    category: str
    summary: str


class FrameworkCategory(BaseModel):
    id: str
    title: str
    frameworks: list[FrameworkSummary]


class FrameworksView(BaseModel):
    categories: list[FrameworkCategory]


class RelatedLink(BaseModel):
    id: str
    title: str


class FrameworkView(BaseModel):
    framework: Framework
    split_levels: dict[str, list[str]] = Field(
        default_factory=dict, description="Level split id -> the levels levels.yaml puts in it, named"
    )
    category_title: str
    related: list[RelatedLink]
    sources: list[Source]


def _sources(bank: ContentBank, *lists: list[str]) -> list[Source]:
    seen: list[str] = []
    for ids in lists:
        for i in ids:
            if i not in seen:
                seen.append(i)
    return bank.source_list(seen)


def list_rounds(bank: ContentBank) -> RoundsView:
    return RoundsView(
        rounds=[
            RoundSummary(
                id=r.id,
                number=r.number,
                title=r.title,
                tagline=r.tagline,
                duration=r.duration,
                frequency=list(r.frequency),
                from_level=r.from_level,
            )
            for r in bank.rounds.values()
        ]
    )


def get_round(bank: ContentBank, round_id: str) -> RoundView:
    try:
        rid = RoundId(round_id)
    except ValueError:
        raise NotFound(
            f"There is no round '{round_id}'.",
            "The rounds are: " + ", ".join(r.value for r in RoundId) + ".",
        ) from None
    r = bank.rounds[rid]
    roles = [
        RoleUse(role=p.id, name=p.name, tier=rr.tier, rounds_per_loop=rr.rounds_per_loop, detail=rr.detail)
        for p in bank.roles.values()
        for rr in p.rounds
        if rr.round == rid
    ]
    companies = [
        CompanyUse(company=c.id, name=COMPANY_LABELS[c.id], topic=e.topic, label=e.label or "", detail=e.detail)
        for c in bank.companies.values()
        for e in c.emphases
        if e.round == rid
    ]
    return RoundView(round=r, roles=roles, companies=companies, sources=_sources(bank, r.sources))


def level_name(bank: ContentBank, level: Level) -> str:
    """A level as every page names it, with its seniority from the level mapping: 'L5 (senior)'."""
    return f"{level.label} ({bank.levels.band(level).seniority})"


def level_table(bank: ContentBank) -> LevelsView:
    """The level mapping: company ladders -> L4 / L5 / L6+, with what each level means."""
    lv = bank.levels
    return LevelsView(
        intro=lv.intro,
        companies=[r.company for r in lv.bands[0].ladders],
        rows=[
            LevelRow(
                level=b.id,
                label=b.id.label,
                seniority=b.seniority,
                name=level_name(bank, b.id),
                meaning=b.meaning,
                bar_side=b.bar_side,
                split=b.split,
                ladders=list(b.ladders),
            )
            for b in sorted(lv.bands, key=lambda b: list(Level).index(b.id))
        ],
        note=lv.companies_note,
        sources=_sources(bank, lv.sources),
    )


def get_bar(bank: ContentBank) -> BarView:
    b = bank.bar
    return BarView(
        intro=b.intro,
        levels=level_table(bank),
        sides=list(b.sides),
        dimensions=list(b.dimensions),
        biggest_shift=b.biggest_shift,
        sources=_sources(bank, b.sources, bank.levels.sources),
    )


def list_companies(bank: ContentBank) -> CompaniesView:
    cs = list(bank.companies.values())
    return CompaniesView(companies=cs, sources=_sources(bank, *[c.sources for c in cs]))


def list_roles(bank: ContentBank) -> RolesView:
    rs = list(bank.roles.values())
    return RolesView(
        roles=rs,
        round_titles={rid: r.title for rid, r in bank.rounds.items()},
        sources=_sources(bank, *[r.sources for r in rs]),
    )


def list_frameworks(bank: ContentBank) -> FrameworksView:
    cats = []
    for cid, title in CATEGORY_TITLES.items():
        fws = [
            FrameworkSummary(id=f.id, title=f.title, category=f.category, summary=f.summary)
            for f in bank.frameworks.values()
            if f.category == cid
        ]
        if fws:
            cats.append(FrameworkCategory(id=cid, title=title, frameworks=fws))
    return FrameworksView(categories=cats)


def get_framework(bank: ContentBank, framework_id: str) -> FrameworkView:
    f = bank.frameworks.get(framework_id)
    if f is None:
        raise NotFound(
            f"There is no framework '{framework_id}'.",
            "`loopprep frameworks` lists them all.",
        )
    related = [RelatedLink(id=r, title=bank.frameworks[r].title) for r in f.related]
    splits = {i.split for g in f.groups for i in g.items if i.split}
    return FrameworkView(
        framework=f,
        split_levels={
            sp: [level_name(bank, lv) for lv in Level if bank.levels.band(lv).split == sp] for sp in sorted(splits)
        },
        category_title=CATEGORY_TITLES[f.category],
        related=related,
        sources=_sources(bank, f.sources),
    )
