"""One vocabulary: the shared enums and bounds live in loopprep.domain, and nothing restates them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from loopprep import domain
from loopprep.engines import clock
from loopprep.engines.judge import grade
from loopprep.store.backup_rows import CodeAttemptRow, PlanTaskRow

PACKAGE = Path(__file__).parent.parent / "loopprep"


def test_old_homes_re_export_the_domain_enums() -> None:
    assert clock.Phase is domain.Phase and clock.ItemKind is domain.ItemKind and clock.Status is domain.Status
    assert grade.Verdict is domain.Verdict


def test_the_store_restates_no_vocabulary_as_a_pattern() -> None:
    vocab = {m.value for enum in (domain.Phase, domain.ItemKind, domain.Status, domain.Verdict) for m in enum}
    for path in (PACKAGE / "store").rglob("*.py"):
        for alternation in re.findall(r'pattern=r?"\^\(([^)]*)\)\$"', path.read_text()):
            listed = set(alternation.split("|"))
            assert not listed & vocab, f"{path.name} restates {listed & vocab} as a regex; use loopprep.domain"


def test_store_rows_validate_with_the_domain_enums() -> None:
    field = PlanTaskRow.model_fields
    assert field["status"].annotation is domain.Status and field["phase"].annotation is domain.Phase
    assert CodeAttemptRow.model_fields["verdict"].annotation is domain.Verdict
    with pytest.raises(ValidationError, match="status"):
        PlanTaskRow.model_validate({"status": "finished"})


def test_minutes_per_day_bound_is_stated_once() -> None:
    """The 0-960 bound is written in domain.py only; every other module reads it from there."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*")
        if path.suffix in (".py", ".html") and path.name != "domain.py" and re.search(r"\b960\b", path.read_text())
    ]
    # The CLI's option help is a literal so that `--help` never imports pydantic; checked below.
    assert offenders == ["cli/plan_cmd.py"]


def test_cli_help_states_the_domain_bound() -> None:
    text = (PACKAGE / "cli" / "plan_cmd.py").read_text()
    assert f"Minutes per weekday, {domain.MINUTES_PER_DAY_RANGE} " in text
