"""The problem bank on disk: the shipped problems (``content/data/problems/*.yaml``) and the user's own
directory.  A file that breaks the schema is reported with its field and left out whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from loopprep.content.paths import PROBLEMS_DIR
from loopprep.engines.judge.problem import Problem
from loopprep.errors import ContentProblem

SHIPPED_DIR = PROBLEMS_DIR


@dataclass
class Bank:
    problems: dict[str, Problem] = field(default_factory=dict)
    origin: dict[str, Path] = field(default_factory=dict)
    errors: list[ContentProblem] = field(default_factory=list)


def problem_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_file(path: Path) -> tuple[Problem | None, list[ContentProblem]]:
    """One problem file, validated whole: the problem, or None with every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(path.name, None, None, f"cannot read the file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        return None, [ContentProblem(path.name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]
    if not isinstance(data, dict):
        return None, [ContentProblem(path.name, None, None, "a problem file must be a mapping of fields")]
    try:
        problem = Problem.model_validate(data)
    except ValidationError as exc:
        entry = data.get("id") if isinstance(data.get("id"), str) else None
        return None, [
            ContentProblem(path.name, entry, ".".join(str(p) for p in e["loc"]) or None, e["msg"]) for e in exc.errors()
        ]
    if path.stem != problem.id:
        return None, [ContentProblem(path.name, problem.id, "id", f"the file must be named {problem.id}.yaml")]
    return problem, []


def load_dir(directory: Path, bank: Bank | None = None) -> Bank:
    bank = bank if bank is not None else Bank()
    if not directory.is_dir():
        bank.errors.append(ContentProblem(str(directory), None, None, "is not a directory"))
        return bank
    for path in problem_files(directory):
        problem, errors = load_file(path)
        if problem is None:
            bank.errors.extend(errors)
            continue
        if problem.id in bank.problems:
            bank.errors.append(
                ContentProblem(path.name, problem.id, "id", f"the id is already used by {bank.origin[problem.id]}")
            )
            continue
        bank.problems[problem.id] = problem
        bank.origin[problem.id] = path
    return bank


def load_bank(user_dir: Path | None = None) -> Bank:
    """The shipped problems, then the user's own (which may not reuse a shipped id)."""
    bank = load_dir(SHIPPED_DIR)
    if user_dir is not None:
        load_dir(user_dir, bank)
    return bank
