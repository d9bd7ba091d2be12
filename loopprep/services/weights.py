"""Round weights for a profile: content tables -> the pure weights engine."""

from __future__ import annotations

from pydantic import BaseModel

from loopprep.content.loader import ContentBank
from loopprep.domain import COMPANY_LABELS, Profile, RoundId
from loopprep.engines.weights import CompanyLabels, WeightRules, round_weights


class RoundWeightView(BaseModel):
    round: RoundId
    title: str
    share: float
    percent: int
    reason: str


class WeightsView(BaseModel):
    items: list[RoundWeightView]
    heaviest: RoundId
    rules: list[str]


def rules_from(bank: ContentBank) -> WeightRules:
    w = bank.weights
    return WeightRules(
        tier_points={t.id: t.points for t in w.tiers},
        label_points={lb.id: lb.points for lb in w.labels},
        unlabelled=w.unlabelled,
        coding_share={lv: s.coding_share for s in w.level_splits for lv in s.levels},
        level_pull=w.level_pull,
    )


def _largest_remainder(shares: list[float]) -> list[int]:
    """Whole percentages that add up to exactly 100."""
    raw = [s * 100 for s in shares]
    floors = [int(x) for x in raw]
    short = 100 - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return floors


def weights_for(bank: ContentBank, profile: Profile) -> WeightsView:
    role = bank.roles[profile.role]
    companies = [
        CompanyLabels(
            name=COMPANY_LABELS[c],
            labels={e.round: e.label for e in bank.companies[c].emphases if e.round and e.label},
        )
        for c in profile.company_types
    ]
    result = round_weights(
        {rr.round: rr.tier.value for rr in role.rounds},
        companies=companies,
        level=profile.level,
        rules=rules_from(bank),
    )
    pcts = _largest_remainder([i.share for i in result.items])
    items = [
        RoundWeightView(
            round=i.round,
            title=bank.rounds[i.round].title,
            share=round(i.share, 4),
            percent=p,
            reason=i.reason,
        )
        for i, p in zip(result.items, pcts, strict=True)
    ]
    w = bank.weights
    return WeightsView(
        items=items,
        heaviest=result.heaviest,
        rules=[w.companies_rule, w.level_pull_reason, w.unlabelled_reason],
    )
