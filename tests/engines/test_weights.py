"""The weighting function, tested as orderings against the rules in the shipped content."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from loopprep.content.loader import ContentBank
from loopprep.domain import CompanyType, Level, Profile, Role, RoundId
from loopprep.engines.weights import CompanyLabels, WeightRules, round_weights
from loopprep.services.weights import rules_from, weights_for

LOOP = dt.date(2027, 1, 15)
ALL_COMPANY_SETS = [list(c) for n in (1, 2, 3, 4) for c in itertools.combinations(list(CompanyType), n)]


def weights(bank: ContentBank, role: Role, level: Level, *companies: CompanyType):  # noqa: ANN201
    return weights_for(bank, Profile(role=role, level=level, company_types=list(companies), loop_date=LOOP))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("companies", ALL_COMPANY_SETS, ids=lambda c: "+".join(x.value for x in c))
def test_shares_are_a_distribution(bank: ContentBank, role: Role, level: Level, companies) -> None:  # noqa: ANN001
    view = weights(bank, role, level, *companies)
    assert {i.round for i in view.items} == set(RoundId)
    assert sum(i.share for i in view.items) == pytest.approx(1, abs=1e-3)
    assert sum(i.percent for i in view.items) == 100
    assert all(i.share > 0 for i in view.items)
    shares = [i.share for i in view.items]
    assert shares == sorted(shares, reverse=True)
    assert all(i.reason.endswith(".") and len(i.reason) < 200 for i in view.items)


@pytest.mark.parametrize("level", list(Level))
def test_data_scientist_at_product_company_is_stats_first(bank: ContentBank, level: Level) -> None:
    view = weights(bank, Role.DATA_SCIENTIST, level, CompanyType.PRODUCT_COMPANY)
    assert view.heaviest == RoundId.STATS_EXPERIMENTATION


@pytest.mark.parametrize("level", [Level.L5, Level.L6_PLUS])
def test_senior_ai_engineer_at_ai_lab_is_ai_systems_design_first(bank: ContentBank, level: Level) -> None:
    """At L4 the junior split pulls coding level with it (AI labs are implementation-heavy)."""
    view = weights(bank, Role.AI_LLM_ENGINEER, level, CompanyType.AI_FIRST_LAB)
    assert view.heaviest == RoundId.AI_SYSTEMS_DESIGN


@pytest.mark.parametrize("level", [Level.L5, Level.L6_PLUS])
def test_senior_ml_engineer_at_faang_is_system_design_first(bank: ContentBank, level: Level) -> None:
    view = weights(bank, Role.ML_ENGINEER, level, CompanyType.FAANG)
    assert view.heaviest == RoundId.ML_SYSTEM_DESIGN


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("company", list(CompanyType))
def test_junior_level_moves_time_toward_coding(bank: ContentBank, role: Role, company: CompanyType) -> None:
    junior = weights(bank, role, Level.L4, company)
    senior = weights(bank, role, Level.L6_PLUS, company)
    assert junior.items and senior.items
    j = {i.round: i.share for i in junior.items}
    s = {i.round: i.share for i in senior.items}
    assert j[RoundId.ML_CODING] > s[RoundId.ML_CODING]
    assert j[RoundId.ML_SYSTEM_DESIGN] < s[RoundId.ML_SYSTEM_DESIGN]
    # the level rule leaves the statistics round's share alone
    assert j[RoundId.STATS_EXPERIMENTATION] == pytest.approx(s[RoundId.STATS_EXPERIMENTATION], abs=1e-3)


def test_role_tiers_order_rounds_that_a_company_labels_alike(bank: ContentBank) -> None:
    """Where a company type gives two rounds the same label, the role's tier decides:
    a primary round outweighs a lighter one (the level rule may not reverse that)."""
    for role in Role:
        tiers = {rr.round: rr.tier.value for rr in bank.roles[role].rounds}
        for level, company in itertools.product(Level, CompanyType):
            labels = {e.round: e.label for e in bank.companies[company].emphases if e.round}
            view = weights(bank, role, level, company)
            share = {i.round: i.share for i in view.items}
            for a, b in itertools.product(RoundId, RoundId):
                same = labels.get(a, bank.weights.unlabelled) == labels.get(b, bank.weights.unlabelled)
                if same and tiers[a] == "primary" and tiers[b] == "lighter":
                    assert share[a] > share[b], (role, level, company, a, b)


def test_several_company_types_use_the_mean(bank: ContentBank) -> None:
    """Adding a startup (where stats is light) to a product company lowers the stats share,
    but not below what a startup alone gives."""
    product = weights(bank, Role.DATA_SCIENTIST, Level.L5, CompanyType.PRODUCT_COMPANY)
    both = weights(bank, Role.DATA_SCIENTIST, Level.L5, CompanyType.PRODUCT_COMPANY, CompanyType.STARTUP)
    startup = weights(bank, Role.DATA_SCIENTIST, Level.L5, CompanyType.STARTUP)
    r = RoundId.STATS_EXPERIMENTATION
    assert startup.items and product.items
    assert product_share(startup, r) < product_share(both, r) < product_share(product, r)


def product_share(view, r: RoundId) -> float:  # noqa: ANN001
    return next(i.share for i in view.items if i.round == r)


def test_order_of_company_types_does_not_matter(bank: ContentBank) -> None:
    a = weights(bank, Role.ML_ENGINEER, Level.L5, CompanyType.FAANG, CompanyType.STARTUP)
    b = weights(bank, Role.ML_ENGINEER, Level.L5, CompanyType.STARTUP, CompanyType.FAANG)
    assert [(i.round, i.share) for i in a.items] == [(i.round, i.share) for i in b.items]


RULES = WeightRules(
    tier_points={"primary": 3, "important": 2, "lighter": 1},
    label_points={"heavy": 3, "standard": 2},
    unlabelled="standard",
    coding_share={Level.L4: 0.7, Level.L5: 0.4, Level.L6_PLUS: 0.4},
    level_pull=0.5,
)
TIERS = {
    RoundId.ML_SYSTEM_DESIGN: "primary",
    RoundId.AI_SYSTEMS_DESIGN: "lighter",
    RoundId.ML_CODING: "primary",
    RoundId.STATS_EXPERIMENTATION: "important",
    RoundId.BEHAVIOURAL: "lighter",
}


def test_engine_arithmetic_by_hand() -> None:
    """points: MLSD 3*2=6, AISD 1*2=2, coding 3*3=9, stats 2*2=4, behavioural 1*2=2 (total 23).
    coding share of design+behavioural+coding = 9/19; L5 target 0.4 pulled halfway:
    9/19 + 0.5*(0.4-9/19); design and behavioural share the rest 6:2:2."""
    result = round_weights(
        TIERS, companies=[CompanyLabels("X", {RoundId.ML_CODING: "heavy"})], level=Level.L5, rules=RULES
    )
    pool = 19 / 23
    coding_frac = 9 / 19 + 0.5 * (0.4 - 9 / 19)
    assert result.share(RoundId.ML_CODING) == pytest.approx(coding_frac * pool)
    assert result.share(RoundId.STATS_EXPERIMENTATION) == pytest.approx(4 / 23)
    assert result.share(RoundId.ML_SYSTEM_DESIGN) == pytest.approx(6 / 10 * (1 - coding_frac) * pool)
    assert result.share(RoundId.AI_SYSTEMS_DESIGN) == pytest.approx(2 / 10 * (1 - coding_frac) * pool)
    assert result.share(RoundId.BEHAVIOURAL) == pytest.approx(2 / 10 * (1 - coding_frac) * pool)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"companies": []}, "at least one company type"),
        ({"companies": [CompanyLabels("X", {RoundId.ML_CODING: "mystery"})]}, "unknown label 'mystery'"),
    ],
)
def test_engine_rejects_bad_input(kwargs, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        round_weights(TIERS, level=Level.L5, rules=RULES, **kwargs)


def test_engine_requires_every_round() -> None:
    partial = {RoundId.ML_CODING: "primary"}
    with pytest.raises(ValueError, match="no tier"):
        round_weights(partial, companies=[CompanyLabels("X", {})], level=Level.L5, rules=RULES)


def test_rules_come_from_content(bank: ContentBank) -> None:
    rules = rules_from(bank)
    assert rules.coding_share[Level.L4] == 0.70
    assert rules.coding_share[Level.L5] == 0.40
    assert rules.coding_share[Level.L6_PLUS] < rules.coding_share[Level.L5]
    assert rules.tier_points["primary"] > rules.tier_points["important"] > rules.tier_points["lighter"]


# --- the whole table: what a hiring committee would check ------------------------------------

ML, AI, DS = Role.ML_ENGINEER, Role.AI_LLM_ENGINEER, Role.DATA_SCIENTIST
FAANG, LAB = CompanyType.FAANG, CompanyType.AI_FIRST_LAB
CODE, MLSD, AISD = RoundId.ML_CODING, RoundId.ML_SYSTEM_DESIGN, RoundId.AI_SYSTEMS_DESIGN
STATS, BEH = RoundId.STATS_EXPERIMENTATION, RoundId.BEHAVIOURAL


def weight_table(bank: ContentBank) -> dict[tuple[Role, CompanyType, Level], dict[RoundId, float]]:
    """Every role x company type x level, computed from the shipped content."""
    return {
        (role, company, level): {i.round: i.share for i in weights(bank, role, level, company).items}
        for role, company, level in itertools.product(Role, CompanyType, Level)
    }


def top_two(shares: dict[RoundId, float]) -> set[RoundId]:
    return set(sorted(shares, key=lambda r: -shares[r])[:2])


def test_weight_table_orderings(bank: ContentBank) -> None:
    table = weight_table(bank)
    assert len(table) == 3 * 4 * 3
    for (role, company, level), shares in table.items():
        where = (role.value, company.value, level.value)
        assert shares[BEH] > 0, where
        if company in (FAANG, LAB):
            if role == AI:
                assert shares[AISD] >= shares[MLSD], where
            if role == ML:
                assert STATS not in top_two(shares), where
        if role == DS and company == FAANG:
            assert MLSD not in top_two(shares), where
    for role, company in itertools.product(Role, CompanyType):
        l4, l5, l6 = (table[role, company, lv] for lv in Level)
        assert l4[CODE] > l5[CODE] > l6[CODE], (role.value, company.value)
        assert l5 != l6
    faang_l4_ml = table[ML, FAANG, Level.L4]
    assert max(faang_l4_ml, key=lambda r: faang_l4_ml[r]) == CODE


@pytest.mark.parametrize("companies", ALL_COMPANY_SETS, ids=lambda c: "+".join(x.value for x in c))
def test_coding_falls_with_level_for_every_company_set(bank: ContentBank, companies) -> None:  # noqa: ANN001
    for role in Role:
        coding = [weights(bank, role, lv, *companies).items for lv in Level]
        share = [next(i.share for i in items if i.round == CODE) for items in coding]
        assert share[0] > share[1] > share[2], role


def test_level_split_text_matches_the_arithmetic(bank: ContentBank) -> None:
    """The preparation-split page quotes the L4 coding range the weights produce: check it."""
    import re

    body = bank.frameworks["preparation-split"].body or ""
    low, high = (int(x) for x in re.search(r"between about (\d+) % and (\d+) %", body).groups())  # type: ignore[union-attr]
    l4 = [shares[CODE] for (role, company, level), shares in weight_table(bank).items() if level == Level.L4]
    assert low / 100 <= min(l4) and max(l4) <= high / 100
    assert max(l4) < bank.weights.level_splits[0].coding_share  # halfway, never the full 70 %


def test_every_share_keeps_its_reason(bank: ContentBank) -> None:
    view = weights(bank, ML, Level.L6_PLUS, FAANG)
    by_round = {i.round: i.reason for i in view.items}
    assert "pulls toward design and behavioural" in by_round[BEH]
    assert by_round[STATS].endswith("level leaves it as is.")
