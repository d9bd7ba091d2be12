"""The content loader: the shipped bank is complete and valid; broken files are named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loopprep.content.loader import DATA_DIR, check_directory, load_bank
from loopprep.content.paths import DATA_ROOT
from loopprep.content.schema import Framework
from loopprep.domain import CompanyType, Role, RoundId
from loopprep.errors import ContentError


def test_shipped_bank_has_every_entry(bank) -> None:  # noqa: ANN001
    assert list(bank.rounds) == [
        RoundId.ML_SYSTEM_DESIGN,
        RoundId.AI_SYSTEMS_DESIGN,
        RoundId.ML_CODING,
        RoundId.STATS_EXPERIMENTATION,
        RoundId.BEHAVIOURAL,
    ]
    assert set(bank.companies) == set(CompanyType)
    assert set(bank.roles) == set(Role)
    assert len(bank.bar.dimensions) == 7
    assert {d.id for d in bank.bar.dimensions} >= {"problem-framing", "failure-mode", "experimentation"}
    assert bank.user_problems == ()


REQUIRED_FRAMEWORKS = [
    "five-phases",
    "first-five-minutes",
    "signal-layer",
    "whiteboard-vs-talk",
    "recovery-moves",
    "three-silences",
    "closing-questions",
    "why-this-company",
    "night-before",
    "after-the-interview",
    "red-flags",
    "mistakes-to-avoid",
    "preparation-split",
    "remote-loops",
    "statistical-pitfalls",
]


@pytest.mark.parametrize("fid", REQUIRED_FRAMEWORKS)
def test_every_framework_the_loop_needs_is_there(bank, fid: str) -> None:  # noqa: ANN001
    f: Framework = bank.frameworks[fid]
    assert f.summary and f.sources


def test_five_phases_budget(bank) -> None:  # noqa: ANN001
    phases = next(g for g in bank.frameworks["five-phases"].groups if g.id == "phases")
    assert [(i.id, i.minutes) for i in phases.items] == [
        ("clarify", 5),
        ("estimate", 5),
        ("design", 15),
        ("drill", 15),
        ("ops", 5),
    ]
    assert phases.budget_minutes == 45
    failures = next(g for g in bank.frameworks["five-phases"].groups if g.id == "time-failures")
    assert len(failures.items) == 3


def test_recovery_moves_tree_reaches_all_five_moves(bank) -> None:  # noqa: ANN001
    f = bank.frameworks["recovery-moves"]
    moves = {i.id for g in f.groups if g.id == "moves" for i in g.items}
    assert len(moves) == 5
    nodes = {n.id: n for n in f.decision_tree}
    reached: set[str] = set()
    stack = [f.decision_tree[0].id]
    while stack:
        node = nodes[stack.pop()]
        for ref in (node.yes, node.no):
            (stack.append(ref) if ref in nodes else reached.add(ref))
    assert reached == moves
    assert "fake-it" in {i.id for g in f.groups for i in g.items} - moves


def test_self_debrief_has_five_dimensions(bank) -> None:  # noqa: ANN001
    g = next(g for g in bank.frameworks["after-the-interview"].groups if g.id == "self-debrief")
    assert len(g.items) == 5


def test_every_cited_source_exists(bank) -> None:  # noqa: ANN001
    cited = {s for f in bank.frameworks.values() for s in f.sources}
    cited |= {s for r in bank.rounds.values() for s in r.sources}
    assert cited <= set(bank.sources)
    assert {"seed-remote-mle", "seed-the-loop", "seed-playbook-vs-design", "seed-day-of-interview"} <= set(bank.sources)


def copy_bank(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_ROOT, target)
    return target


def test_broken_shipped_file_names_file_entry_and_field(tmp_path: Path) -> None:
    data = copy_bank(tmp_path)
    rounds = data / "knowledge" / "rounds.yaml"
    text = rounds.read_text()
    assert "duration:\n      min: 45" in text or "min: 45" in text
    rounds.write_text(text.replace("min: 45", "min: forty-five", 1))
    with pytest.raises(ContentError) as info:
        load_bank(data_dir=data)
    problem = info.value.problems[0]
    assert problem.file.endswith("rounds.yaml")
    assert problem.entry == "ml-system-design"
    assert problem.field == "duration.min"
    assert "integer" in problem.message


def test_unknown_field_is_an_error(tmp_path: Path) -> None:
    data = copy_bank(tmp_path)
    roles = data / "knowledge" / "roles.yaml"
    roles.write_text(
        roles.read_text().replace("  - id: data-scientist\n", "  - id: data-scientist\n    colour: blue\n", 1)
    )
    with pytest.raises(ContentError) as info:
        load_bank(data_dir=data)
    assert any(p.entry == "data-scientist" and p.field == "colour" for p in info.value.problems)


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    data = copy_bank(tmp_path)
    (data / "knowledge" / "bar.yaml").write_text("kind: bar\nintro: [unclosed\n")
    with pytest.raises(ContentError) as info:
        load_bank(data_dir=data)
    assert "line" in info.value.problems[0].message and info.value.problems[0].file.endswith("bar.yaml")


def test_missing_round_is_reported(tmp_path: Path) -> None:
    data = copy_bank(tmp_path)
    rounds = data / "knowledge" / "rounds.yaml"
    import yaml

    doc = yaml.safe_load(rounds.read_text())
    doc["entries"] = [e for e in doc["entries"] if e["id"] != "ml-coding"]
    rounds.write_text(yaml.safe_dump(doc))
    with pytest.raises(ContentError, match="ml-coding"):
        load_bank(data_dir=data)


def test_unknown_source_reference_is_reported(tmp_path: Path) -> None:
    data = copy_bank(tmp_path)
    f = data / "knowledge" / "weights.yaml"
    f.write_text(f.read_text().replace("sources: [seed-the-loop", "sources: [no-such-source"))
    with pytest.raises(ContentError, match="no-such-source"):
        load_bank(data_dir=data)


GOOD_USER_FRAMEWORK = """
kind: frameworks
entries:
  - id: my-opening-line
    title: My opening line
    category: in-the-room
    summary: What I say in the first thirty seconds.
    groups:
      - id: lines
        title: Lines
        items:
          - id: restate
            title: Restate the prompt
            detail: Say the problem back in one sentence.
    related: [five-phases]
    sources: [seed-day-of-interview]
"""


def test_user_content_adds_frameworks_and_skips_broken_files(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "good.yaml").write_text(GOOD_USER_FRAMEWORK)
    (user / "broken.yaml").write_text(GOOD_USER_FRAMEWORK.replace("my-opening-line", "Bad Id"))
    (user / "clash.yaml").write_text(GOOD_USER_FRAMEWORK.replace("my-opening-line", "five-phases"))
    (user / "rounds.yaml").write_text("kind: rounds\nentries: []\n")
    bank = load_bank(user)
    assert "my-opening-line" in bank.frameworks
    files = sorted(Path(p.file).name for p in bank.user_problems)
    assert files == ["broken.yaml", "clash.yaml", "rounds.yaml"]
    clash = next(p for p in bank.user_problems if p.file.endswith("clash.yaml"))
    assert clash.entry == "five-phases" and "already taken" in clash.message
    # the shipped five-phases framework is untouched
    assert bank.frameworks["five-phases"].title != "My opening line"


def test_check_directory_reports_user_problems(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: frameworks\nentries:\n  - id: x\n    title: X\n")
    problems = check_directory(tmp_path)
    assert problems and all(p.file.endswith("bad.yaml") for p in problems)
    assert {p.field for p in problems} >= {"category", "summary", "sources"}
    assert check_directory(DATA_DIR) == []


def test_budget_that_does_not_add_up_is_rejected() -> None:
    from pydantic import ValidationError

    from loopprep.content.schema import FrameworkGroup

    with pytest.raises(ValidationError, match="add up to 40 minutes"):
        FrameworkGroup(
            id="p", title="P", budget_minutes=45, items=[{"id": "a", "title": "A", "detail": "d", "minutes": 40}]
        )
