"""Load and validate the content bank.

Shipped content lives in ``content/data``; a broken shipped file stops loopprep (no half-served
content).  A user's own content directory is validated with the same schemas, but a broken user
file is skipped whole and reported, so one typo does not take the app down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from loopprep.content.paths import KNOWLEDGE_DIR
from loopprep.content.schema import (
    KINDS,
    BarFile,
    CompanyProfile,
    ContentFile,
    Framework,
    RoleProfile,
    Round,
    Source,
    WeightsFile,
)
from loopprep.domain import CompanyType, Role, RoundId
from loopprep.errors import ContentError, ContentProblem

DATA_DIR = KNOWLEDGE_DIR
# Kinds a user's own directory may add to; the rest describe the loop itself and ship with loopprep.
USER_KINDS = ("sources", "frameworks")
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ContentFile)

try:  # the C loader is several times faster where libyaml is present
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class ContentBank:
    """Everything loopprep knows about the loop, validated and indexed by id."""

    sources: dict[str, Source]
    rounds: dict[RoundId, Round]
    bar: BarFile
    companies: dict[CompanyType, CompanyProfile]
    roles: dict[Role, RoleProfile]
    weights: WeightsFile
    frameworks: dict[str, Framework]
    user_problems: tuple[ContentProblem, ...] = field(default=())

    def source_list(self, ids: Iterable[str]) -> list[Source]:
        return [self.sources[i] for i in ids]


def _entry_id(raw: Any, loc: tuple[Any, ...]) -> tuple[str | None, list[Any]]:
    """Map a pydantic error location to (entry id, remaining field path)."""
    rest = list(loc)
    if rest and rest[0] in KINDS:
        rest = rest[1:]
    for key in ("entries", "dimensions", "sides", "tiers", "labels", "level_splits"):
        if len(rest) >= 2 and rest[0] == key and isinstance(rest[1], int):
            entries = raw.get(key) if isinstance(raw, dict) else None
            entry = None
            if isinstance(entries, list) and rest[1] < len(entries):
                item = entries[rest[1]]
                if isinstance(item, dict) and item.get("id"):
                    entry = str(item["id"])
            return entry or f"{key}[{rest[1]}]", rest[2:]
    return None, rest


def _parse(path: Path, label: str) -> tuple[Any | None, list[ContentProblem]]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (safe)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(label, None, None, f"cannot read the file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ContentProblem(label, None, None, f"not valid YAML{where}: {problem}")]
    if not isinstance(raw, dict) or "kind" not in raw:
        return None, [
            ContentProblem(label, None, "kind", f"a content file starts with `kind:` (one of {', '.join(KINDS)})")
        ]
    try:
        return _ADAPTER.validate_python(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            entry, rest = _entry_id(raw, err["loc"])
            fld = ".".join(str(p) for p in rest) or None
            problems.append(ContentProblem(label, entry, fld, err["msg"]))
        return None, problems


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


class _Builder:
    def __init__(self) -> None:
        self.by_kind: dict[str, list[tuple[str, Any]]] = {k: [] for k in KINDS}

    def add(self, label: str, doc: Any) -> None:
        self.by_kind[doc.kind].append((label, doc))


def _check_shipped(b: _Builder) -> tuple[dict[str, Any], list[ContentProblem]]:
    problems: list[ContentProblem] = []
    out: dict[str, Any] = {}
    for singular in ("bar", "weights"):
        docs = b.by_kind[singular]
        if len(docs) != 1:
            where = ", ".join(lbl for lbl, _ in docs) or "(none)"
            problems.append(
                ContentProblem(where, None, "kind", f"exactly one `{singular}` file is needed, found {len(docs)}")
            )
        out[singular] = docs[0][1] if docs else None

    def collect(kind: str) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        origin: dict[Any, str] = {}
        for label, doc in b.by_kind[kind]:
            for entry in doc.entries:
                if entry.id in found:
                    problems.append(
                        ContentProblem(label, str(entry.id), "id", f"duplicate id, also in {origin[entry.id]}")
                    )
                    continue
                found[entry.id] = entry
                origin[entry.id] = label
        return found

    out["sources"] = collect("sources")
    out["frameworks"] = collect("frameworks")
    for kind, enum in (("rounds", RoundId), ("companies", CompanyType), ("roles", Role)):
        found = collect(kind)
        missing = [e.value for e in enum if e not in found]
        if missing:
            problems.append(ContentProblem(kind, None, "entries", f"missing entries for {missing}"))
        out[kind] = {e: found[e] for e in enum if e in found}
    if not problems:
        rounds = out["rounds"]
        out["rounds"] = dict(sorted(rounds.items(), key=lambda kv: kv[1].number))
    return out, problems


def _reference_problems(
    label: str,
    entries: Iterable[Any],
    sources: dict[str, Source],
    frameworks: dict[str, Framework],
    labels: set[str],
) -> list[ContentProblem]:
    problems = []
    for entry in entries:
        eid = str(getattr(entry, "id", "")) or None
        for sid in getattr(entry, "sources", []):
            if sid not in sources:
                problems.append(ContentProblem(label, eid, "sources", f"unknown source id '{sid}'"))
        for rid in getattr(entry, "related", []):
            if rid not in frameworks:
                problems.append(ContentProblem(label, eid, "related", f"unknown framework id '{rid}'"))
        for emph in getattr(entry, "emphases", []):
            if emph.label is not None and emph.label not in labels:
                problems.append(
                    ContentProblem(label, eid, f"emphases.{emph.id}.label", f"unknown weight label '{emph.label}'")
                )
    return problems


def check_directory(directory: Path) -> list[ContentProblem]:
    """Validate every content file in ``directory`` on its own (schema and YAML); for
    ``loopprep content check DIR``.  Cross-references are checked against the shipped bank."""
    if not directory.is_dir():
        return [ContentProblem(str(directory), None, None, "no such directory")]
    if directory.resolve() == DATA_DIR.resolve():
        try:
            load_bank()
        except ContentError as exc:
            return list(exc.problems)
        return []
    try:
        bank = load_bank(directory)
    except ContentError as exc:
        return list(exc.problems)
    return list(bank.user_problems)


def load_bank(user_dir: Path | None = None, *, data_dir: Path = DATA_DIR) -> ContentBank:
    """Load the shipped content (raising ``ContentError`` naming file, entry and field on any
    problem) and then the user's own directory (skipping a broken user file whole and recording
    why in ``user_problems``)."""
    builder = _Builder()
    problems: list[ContentProblem] = []
    for path in _files(data_dir):
        label = str(path.relative_to(data_dir.parents[3])) if data_dir == DATA_DIR else str(path)
        doc, errs = _parse(path, label)
        problems += errs
        if doc is not None:
            builder.add(label, doc)
    if problems:
        raise ContentError(problems)
    out, problems = _check_shipped(builder)
    if problems:
        raise ContentError(problems)
    labels = {lbl.id for lbl in out["weights"].labels}
    for kind in ("rounds", "companies", "roles", "frameworks", "sources"):
        for label, doc in builder.by_kind[kind]:
            problems += _reference_problems(label, doc.entries, out["sources"], out["frameworks"], labels)
    for label, doc in builder.by_kind["bar"] + builder.by_kind["weights"]:
        problems += [
            ContentProblem(label, None, "sources", f"unknown source id '{s}'")
            for s in doc.sources
            if s not in out["sources"]
        ]
    if problems:
        raise ContentError(problems)

    user_problems: list[ContentProblem] = []
    if user_dir is not None:
        sources = dict(out["sources"])
        frameworks = dict(out["frameworks"])
        if not user_dir.is_dir():
            user_problems.append(ContentProblem(str(user_dir), None, None, "the content directory does not exist"))
        parsed = []
        for path in _files(user_dir) if user_dir.is_dir() else []:
            doc, errs = _parse(path, str(path))
            if errs:
                user_problems += errs
                continue
            if doc.kind not in USER_KINDS:
                user_problems.append(
                    ContentProblem(
                        str(path),
                        None,
                        "kind",
                        f"`{doc.kind}` ships with loopprep; your own files may add {', '.join(USER_KINDS)}",
                    )
                )
                continue
            parsed.append((path, doc))
        # Sources first so frameworks in any file can cite them.
        parsed.sort(key=lambda pd: pd[1].kind != "sources")
        for path, doc in parsed:
            target = sources if doc.kind == "sources" else frameworks
            clash = [e.id for e in doc.entries if e.id in target]
            errs = [ContentProblem(str(path), c, "id", "this id is already taken; pick another") for c in clash]
            if doc.kind == "frameworks":
                known = frameworks | {e.id: e for e in doc.entries}
                errs += _reference_problems(str(path), doc.entries, sources, known, labels)
            if errs:
                user_problems += errs
                continue
            target.update({e.id: e for e in doc.entries})
        out["sources"], out["frameworks"] = sources, frameworks

    return ContentBank(
        sources=out["sources"],
        rounds=out["rounds"],
        bar=out["bar"],
        companies=out["companies"],
        roles=out["roles"],
        weights=out["weights"],
        frameworks=out["frameworks"],
        user_problems=tuple(user_problems),
    )
