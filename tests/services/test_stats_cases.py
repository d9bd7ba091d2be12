"""Experimentation cases: the shipped content, grading against the calculators, attempts stored
(on SQLite and PostgreSQL) and carried by export/import."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from loopprep.content.loader import load_bank
from loopprep.errors import InvalidInput, NotFound
from loopprep.services.backup import export_document, import_document
from loopprep.services.stats_cases import AREAS, expected_answer, get_case, list_cases, submit_attempt

BANK = load_bank()

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_at_least_fifteen_cases_each_complete_and_cited() -> None:
    bank = BANK.stats_cases
    assert len(bank.cases) >= 15
    for case in bank.cases.values():
        assert {c.area for c in case.checklist} == set(AREAS)
        assert case.sources and all(s in bank.sources for s in case.sources)
        for q in case.numeric:
            value, _, method = expected_answer(q)  # computable by the calculators, not typed in
            assert method


def test_the_pitfalls_the_issue_names_are_exercised() -> None:
    pitfalls = {p for c in BANK.stats_cases.cases.values() for p in c.pitfalls}
    assert {"p-hacking", "simpsons-paradox", "goodharts-law", "survivorship-bias", "multiple-testing"} <= pitfalls


def test_submit_grades_and_stores(ctx) -> None:  # noqa: ANN001
    res = submit_attempt(
        ctx,
        "near-boundary-methods",
        answer="Use the exact test.",
        checked=[0, 3, 3],
        numeric={"pooled-n": "74", "arcsine-n": "40"},
        now=NOW,
    )
    assert [g.correct for g in res.graded] == [True, False]
    assert res.attempt.checked == [0, 3]
    view = get_case(ctx, "near-boundary-methods")
    assert len(view.attempts) == 1 and view.attempts[0].numeric_correct == 1
    assert next(c for c in list_cases(ctx).cases if c.id == "near-boundary-methods").attempts == 1


def test_percent_and_relative_tolerance(ctx) -> None:  # noqa: ANN001
    res = submit_attempt(ctx, "small-enterprise-pilot", answer="", checked=[], numeric={"exact-p": "0.52%"}, now=NOW)
    assert res.graded[0].correct  # 0.0052 is within 2 % of 0.005223


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"numeric": {"pooled-n": "many"}}, "pooled-n"),
        ({"numeric": {"nope": "1"}}, "nope"),
        ({"checked": [9]}, "checked"),
    ],
)
def test_bad_attempts_name_the_field(ctx, kwargs: dict, field: str) -> None:  # noqa: ANN001
    args = {"answer": "", "checked": [], "numeric": {}} | kwargs
    with pytest.raises(InvalidInput) as exc:
        submit_attempt(ctx, "near-boundary-methods", now=NOW, **args)
    assert field in exc.value.fields


def test_unknown_case(ctx) -> None:  # noqa: ANN001
    with pytest.raises(NotFound):
        get_case(ctx, "no-such-case")


def test_attempts_survive_export_and_import(ctx) -> None:  # noqa: ANN001
    submit_attempt(ctx, "cuped-revenue", answer="CUPED", checked=[1], numeric={"cuped-n": "204000"}, now=NOW)
    doc = export_document(ctx, now=NOW)
    rows = doc["data"]["stats_case_attempts"]
    assert rows[0]["case_id"] == "cuped-revenue" and rows[0]["numeric_correct"] == 1
    import_document(ctx, json.dumps(doc, default=str), replace=True)
    view = get_case(ctx, "cuped-revenue")
    assert [a.answer for a in view.attempts] == ["CUPED"]
