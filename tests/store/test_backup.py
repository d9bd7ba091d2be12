"""Export / import: a round trip on each backend, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from loopprep.errors import BackupError
from loopprep.services.backup import export_document, import_document, plan_import
from loopprep.services.context import open_context
from loopprep.services.profile import load_profile, set_profile
from loopprep.settings import Settings
from loopprep.store.backup import EXPORT_VERSION

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
PROFILE = {
    "role": "ai-llm-engineer",
    "level": "l6-plus",
    "company_types": ["ai-first-lab", "startup"],
    "loop_date": "2027-01-11",
    "target_companies": ["Anthropic", "Mistral AI"],
}
FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_round_trip_restores_everything(ctx, tmp_path: Path, bank) -> None:  # noqa: ANN001
    set_profile(ctx, PROFILE, today=TODAY, now=NOW)
    doc = export_document(ctx, now=NOW)
    assert doc["format"] == "loopprep-export" and doc["version"] == EXPORT_VERSION
    original = load_profile(ctx)

    # into an empty database of the same backend
    with ctx.engine.begin() as conn:
        from loopprep.store.tables import profile

        conn.execute(profile.delete())
    assert load_profile(ctx) is None
    result = import_document(ctx, json.dumps(doc), replace=False)
    assert result.imported["profile"] == 1 and sum(result.imported.values()) == 1
    assert result.replaced is None
    assert load_profile(ctx) == original
    assert export_document(ctx, now=NOW) == doc


def test_round_trip_across_backends(ctx, tmp_path: Path, bank) -> None:  # noqa: ANN001
    """An export from one backend imports into a fresh SQLite database identically."""
    set_profile(ctx, PROFILE, today=TODAY, now=NOW)
    doc = export_document(ctx, now=NOW)
    other = open_context(Settings(data_dir=tmp_path / "other"), bank=bank)
    try:
        import_document(other, json.dumps(doc), replace=False)
        assert export_document(other, now=NOW)["data"] == doc["data"]
    finally:
        other.engine.dispose()


def test_import_refuses_to_merge_and_replace_overwrites(ctx) -> None:  # noqa: ANN001
    set_profile(ctx, PROFILE, today=TODAY, now=NOW)
    doc = export_document(ctx, now=NOW)
    set_profile(ctx, {"level": "l4"}, today=TODAY, now=NOW)
    plan = plan_import(ctx, json.dumps(doc))
    assert plan.would_overwrite and plan.existing_text == "1 profile"
    with pytest.raises(BackupError, match="never merges"):
        import_document(ctx, json.dumps(doc), replace=False)
    assert load_profile(ctx).level.value == "l4"
    result = import_document(ctx, json.dumps(doc), replace=True)
    assert result.replaced == "1 profile"
    assert load_profile(ctx).level.value == "l6-plus"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "{not json", "not valid JSON"),
        (lambda d: json.dumps({**d, "format": "something-else"}), "not a loopprep export"),
        (lambda d: json.dumps({**d, "version": EXPORT_VERSION + 1}), "newer loopprep"),
        (lambda d: json.dumps({**d, "version": "one"}), "no valid 'version'"),
        (
            lambda d: json.dumps({**d, "data": {"profile": [{**d["data"]["profile"][0], "level": "l9"}]}}),
            "field 'level'",
        ),
        (lambda d: json.dumps({**d, "data": {"profile": "nope"}}), "must be a list"),
        (lambda d: json.dumps({**d, "data": {"mystery": []}}), "unknown section"),
    ],
    ids=["malformed", "wrong-format", "newer-version", "bad-version", "bad-field", "not-a-list", "unknown-section"],
)
def test_bad_files_are_refused_and_change_nothing(ctx, mutate, message: str) -> None:  # noqa: ANN001
    set_profile(ctx, PROFILE, today=TODAY, now=NOW)
    doc = export_document(ctx, now=NOW)
    before = export_document(ctx, now=NOW)
    with pytest.raises(BackupError, match=message):
        import_document(ctx, mutate(doc), replace=True)
    assert export_document(ctx, now=NOW) == before


def test_every_released_format_still_imports(ctx) -> None:  # noqa: ANN001
    files = sorted(FIXTURES.glob("export-v*.json"))
    versions = {json.loads(f.read_text())["version"] for f in files}
    assert versions == set(range(1, EXPORT_VERSION + 1)), "keep one export file per format version"
    for f in files:
        result = import_document(ctx, f.read_text(), replace=True)
        assert load_profile(ctx) is not None
        assert export_document(ctx, now=NOW)["version"] == EXPORT_VERSION
        assert sum(result.imported.values()) >= 1


def test_a_code_draft_round_trips_and_a_version_4_file_has_none(ctx) -> None:  # noqa: ANN001
    from loopprep.services.code import get_draft, show_problem

    v5 = json.loads((FIXTURES / "export-v5.json").read_text())
    import_document(ctx, json.dumps(v5), replace=True)
    draft = get_draft(ctx, "stable-softmax")
    assert draft is not None and draft.reason == "judge-busy"
    assert draft.saved_at == dt.datetime(2026, 12, 7, 21, 45, tzinfo=dt.UTC)
    assert show_problem(ctx, "stable-softmax").code == draft.code  # newer than the imported attempt
    doc = export_document(ctx, now=NOW)
    assert doc["version"] == 5 and doc["data"]["code_drafts"] == v5["data"]["code_drafts"]
    import_document(ctx, json.dumps(doc), replace=True)
    assert export_document(ctx, now=NOW) == doc

    import_document(ctx, (FIXTURES / "export-v4.json").read_text(), replace=True)
    assert export_document(ctx, now=NOW)["data"]["code_drafts"] == []
    bad = {**v4_doc(), "data": {**v4_doc()["data"], "code_drafts": []}}
    with pytest.raises(BackupError, match="unknown section"):
        import_document(ctx, json.dumps(bad), replace=True)
    v5["data"]["code_drafts"][0]["reason"] = "user-gave-up"
    with pytest.raises(BackupError, match="code_drafts', item 1, field 'reason'"):
        import_document(ctx, json.dumps(v5), replace=True)


def v4_doc() -> dict:
    return json.loads((FIXTURES / "export-v4.json").read_text())


def test_import_moves_id_sequences_past_imported_rows(ctx) -> None:  # noqa: ANN001
    """On PostgreSQL the serial sequence must not hand out an id an imported row already has."""
    from loopprep.store.tables import estimate_drill_attempt as drills

    row = {
        "kind": "qps",
        "seed": 7,
        "answer": 2000.0,
        "truth": 2315.0,
        "ratio": 1.16,
        "grade": "good",
        "seconds": 12.0,
        "answered_at": NOW,
    }
    with ctx.engine.begin() as conn:
        conn.execute(drills.insert().values(id=41, **row))
    doc = export_document(ctx, now=NOW)
    import_document(ctx, json.dumps(doc), replace=True)
    with ctx.engine.begin() as conn:
        new_id = conn.execute(drills.insert().values(**row).returning(drills.c.id)).scalar_one()
    assert new_id == 42
