"""Checking content files: ``loopprep content check [DIR]``."""

from __future__ import annotations

from pathlib import Path

from loopprep.content.loader import ContentBank, check_directory
from loopprep.content.paths import DATA_ROOT
from loopprep.errors import ContentProblem

__all__ = ["ContentBank", "ContentProblem", "check_content"]


def check_content(directory: Path | None) -> list[ContentProblem]:
    """Every problem in the shipped content and then, when it passes, in ``directory`` (a user's
    content directory, checked against the shipped bank).  Empty when everything validates."""
    problems = check_directory(DATA_ROOT)
    if not problems and directory is not None:
        problems = check_directory(directory)
    return problems
