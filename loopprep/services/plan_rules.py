"""The plan rules (``content/data/plan/plan.yaml``, validated into the bank) checked against the
rest of the bank and turned into the Clock engine's ``PlanRules``."""

from __future__ import annotations

from loopprep.content.loader import ContentBank
from loopprep.content.schema.plan import PlanFile
from loopprep.domain import RoundId
from loopprep.engines.clock import ItemKind, PhaseRule, PlanRules, TaskKind, TimelineRule
from loopprep.errors import ContentError, ContentProblem

PLAN_LABEL = "loopprep/content/data/plan/plan.yaml"
DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}


def case_index(bank: ContentBank) -> tuple[tuple[str, str], ...]:
    """The stats lab's case ids and titles, in bank order (files sorted, then file order)."""
    return tuple((c.id, c.title) for c in bank.stats_cases.cases.values())


def problem_index(bank: ContentBank) -> tuple[tuple[str, str, str], ...]:
    """The shipped ML coding problems as (id, title, difficulty): easy, medium, hard, then by id.
    A user's own problems stay out of the plan, so the plan does not change when their
    directory does."""
    shipped = [p for pid, p in bank.coding.problems.items() if bank.coding.origin[pid] == "shipped"]
    ordered = sorted(shipped, key=lambda p: (DIFFICULTY_ORDER[p.difficulty], p.id))
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
            out.append(ContentProblem(PLAN_LABEL, a.id, "id", "an activity id equals a stats case id"))
        if a.id in problem_ids:
            out.append(ContentProblem(PLAN_LABEL, a.id, "id", "an activity id equals a coding problem id"))
    for clash in sorted(case_ids & problem_ids):
        out.append(ContentProblem(PLAN_LABEL, clash, "id", "a stats case id equals a coding problem id"))
    if any(k.cases for k in spec.kinds) and not cases:
        out.append(ContentProblem(PLAN_LABEL, None, "kinds", "a cases kind needs the stats lab's case bank"))
    if any(k.problems for k in spec.kinds) and not problems:
        out.append(ContentProblem(PLAN_LABEL, None, "kinds", "a problems kind needs the ML coding problem bank"))
    topics = {f.id for r in bank.rounds.values() for f in r.focus_areas}
    activities = {a.id for a in spec.activities}
    for s in spec.sources:
        if s not in bank.sources:
            out.append(ContentProblem(PLAN_LABEL, None, "sources", f"unknown source '{s}'"))
    for k in spec.kinds:
        valid = {
            ItemKind.TOPIC: topics,
            ItemKind.FRAMEWORK: set(bank.frameworks),
            ItemKind.ACTIVITY: activities,
            ItemKind.ROUND: {r.value for r in RoundId},
        }[k.item_kind]
        for item in k.items:
            if item not in valid:
                out.append(ContentProblem(PLAN_LABEL, k.id, "items", f"unknown {k.item_kind.value} '{item}'"))
    return out


def rules_from(
    bank: ContentBank,
    spec: PlanFile | None = None,
    cases: tuple[tuple[str, str], ...] | None = None,
    problems: tuple[tuple[str, str, str], ...] | None = None,
) -> PlanRules:
    """The engine's rules: the plan content checked against the content bank, the stats cases
    (bank order) and the coding problems (easiest first; default: the shipped ones).  Raises
    ``ContentError`` naming the plan entry whose id is unknown.  Built once per context
    (``AppContext.plan_rules``)."""
    spec = spec or bank.plan
    cases = case_index(bank) if cases is None else cases
    problems = problem_index(bank) if problems is None else problems
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
        timeline=TimelineRule(t.prep_minutes, t.review_minutes, t.note_minutes),
    )
