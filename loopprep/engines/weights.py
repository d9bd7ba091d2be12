"""Where to spend your depth: a weight per round from role, company types and level.

The numbers behind the sources' words (primary / important / lighter, very heavy / light ...)
are content (``weights.yaml``), passed in as :class:`WeightRules`; this module only does the
arithmetic, so every figure it returns can be traced to a labelled rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loopprep.domain import Level, RoundId

CODING = RoundId.ML_CODING
# The sources' preparation split sets coding against "system design and behavioural": these
# rounds share the non-coding side of the level pull, in the ratio role and company give them.
DESIGN = (RoundId.ML_SYSTEM_DESIGN, RoundId.AI_SYSTEMS_DESIGN, RoundId.BEHAVIOURAL)


@dataclass(frozen=True)
class WeightRules:
    """The label-to-number table and the level rule, as plain values."""

    tier_points: Mapping[str, float]
    label_points: Mapping[str, float]
    unlabelled: str
    coding_share: Mapping[Level, float]
    level_pull: float


@dataclass(frozen=True)
class CompanyLabels:
    """One target company type: its display name and its label per round (missing = unlabelled)."""

    name: str
    labels: Mapping[RoundId, str]


@dataclass(frozen=True)
class RoundWeight:
    round: RoundId
    share: float
    reason: str


@dataclass(frozen=True)
class RoundWeights:
    """Shares per round, heaviest first; they sum to 1."""

    items: tuple[RoundWeight, ...]

    def share(self, round_id: RoundId) -> float:
        return next(i.share for i in self.items if i.round == round_id)

    @property
    def heaviest(self) -> RoundId:
        return self.items[0].round


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def round_weights(
    role_tiers: Mapping[RoundId, str],
    *,
    companies: Sequence[CompanyLabels],
    level: Level,
    rules: WeightRules,
) -> RoundWeights:
    """Turn a role's tier per round, one or more company types and a level into shares.

    1. points[r] = tier_points[role tier] x mean over company types of label_points[label];
    2. shares = points / sum(points);
    3. the level moves the coding share of the coding + design + behavioural hours
       ``level_pull`` of the way toward the level's ``coding_share`` (statistics keeps its
       share; the two design rounds and behavioural keep their ratio to each other).

    With ``coding_share`` strictly falling from L4 to L6+, the coding share falls with it for
    any role and company set.

    Raises ``ValueError`` for no company types, a round without a tier, or an unknown label.
    """
    if not companies:
        raise ValueError("at least one company type is needed")
    missing = [r.value for r in RoundId if r not in role_tiers]
    if missing:
        raise ValueError(f"the role gives no tier for {missing}")
    if not 0 < rules.level_pull <= 1:
        raise ValueError("level_pull must be in (0, 1]")

    def points(label: str, table: Mapping[str, float], what: str) -> float:
        if label not in table:
            raise ValueError(f"unknown {what} '{label}'")
        return table[label]

    company_mean: dict[RoundId, float] = {}
    raw: dict[RoundId, float] = {}
    for r in RoundId:
        labels = [c.labels.get(r, rules.unlabelled) for c in companies]
        company_mean[r] = sum(points(lb, rules.label_points, "label") for lb in labels) / len(labels)
        raw[r] = points(role_tiers[r], rules.tier_points, "tier") * company_mean[r]
    total = sum(raw.values())
    base = {r: v / total for r, v in raw.items()}

    design = sum(base[r] for r in DESIGN)
    pool = design + base[CODING]
    target = rules.coding_share[level]
    coding_before = base[CODING] / pool
    coding_after = coding_before + rules.level_pull * (target - coding_before)
    final = dict(base)
    final[CODING] = coding_after * pool
    for r in DESIGN:
        final[r] = base[r] / design * (1 - coding_after) * pool if design else 0.0

    items = []
    for r in RoundId:
        company_words = ", ".join(
            f"{c.labels.get(r, rules.unlabelled).replace('-', ' ')} at {c.name}" for c in companies
        )
        if r == CODING or r in DESIGN:
            direction = "toward coding" if target > coding_before else "toward design and behavioural"
            level_words = f"{level.label} pulls {direction} ({_pct(base[r])} -> {_pct(final[r])})"
        else:
            level_words = "level leaves it as is"
        reason = f"{role_tiers[r].capitalize()} for the role; {company_words}; {level_words}."
        items.append(RoundWeight(round=r, share=final[r], reason=reason))
    items.sort(key=lambda w: (-w.share, list(RoundId).index(w.round)))
    return RoundWeights(items=tuple(items))
