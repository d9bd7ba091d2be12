"""The one YAML reader for every content file, and the one mapper from a pydantic
``ValidationError`` to ``ContentProblem`` (file, entry, field).

YAML anchors and aliases are refused in every file: shipped content uses none, and in a user's
file a few kilobytes of nested aliases can expand into millions of nodes once validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from loopprep.errors import ContentProblem

try:  # the C parser is several times faster where libyaml is present
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def _refuse_aliases(text: str) -> str | None:
    """The first anchor or alias in ``text`` as a message, or None.  Runs the parser only (no
    construction), so a billion-laughs file costs its own size, not its expansion."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            return f"uses a YAML anchor or alias{where}; loopprep does not accept them: write each value out in full"
    return None


def read_yaml(path: Path, label: str) -> tuple[Any, list[ContentProblem]]:
    """Parse one YAML file with the safe loader: ``(data, [])``, or ``(None, problems)`` when it
    cannot be read, is not valid YAML, or uses anchors/aliases."""
    try:
        text = path.read_text(encoding="utf-8")
        refused = _refuse_aliases(text)
        if refused:
            return None, [ContentProblem(label, None, None, refused)]
        return yaml.load(text, Loader=_Loader), []  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(label, None, None, f"cannot read the file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ContentProblem(label, None, None, f"not valid YAML{where}: {problem}")]


def _entry_of(raw: Any, loc: list[Any]) -> tuple[str | None, list[Any]]:
    """(entry id, rest of the path) for a location like ``("entries", 3, "title")``: the entry
    is the id of ``raw["entries"][3]``, or ``entries[3]`` when it has none."""
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        items = raw.get(loc[0]) if isinstance(raw, dict) else None
        entry = None
        if isinstance(items, list) and loc[1] < len(items):
            item = items[loc[1]]
            if isinstance(item, dict) and item.get("id") is not None:
                entry = str(item["id"])
        return entry or f"{loc[0]}[{loc[1]}]", loc[2:]
    return None, loc


def validation_problems(
    exc: ValidationError, label: str, raw: Any, *, whole: bool = False, entry: str | None = None
) -> list[ContentProblem]:
    """Every error of ``exc`` as a ContentProblem.  When the ``whole`` file is one entry (a
    coding problem) ``entry`` names it; otherwise the entry is found from a ``(list name,
    index)`` location, e.g. ``("entries", 3, "title")`` -> the id of the fourth entry."""
    out = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        found, rest = (entry, loc) if whole else _entry_of(raw, loc)
        out.append(ContentProblem(label, found, ".".join(str(p) for p in rest) or None, err["msg"]))
    return out


def yaml_files(directory: Path, *, recursive: bool = True, skip: tuple[str, ...] = ()) -> list[Path]:
    """The ``.yaml``/``.yml`` files under ``directory`` in a stable order, leaving out the
    top-level folders named in ``skip``."""
    found = directory.rglob("*") if recursive else directory.glob("*")
    out = []
    for p in found:
        if p.suffix not in {".yaml", ".yml"} or not p.is_file():
            continue
        if skip and p.relative_to(directory).parts[0] in skip:
            continue
        out.append(p)
    return sorted(out)
