"""Load and validate the content bank: every kind of shipped content, plus the user's own.

Shipped content lives in ``content/data/<kind>/``; a broken shipped file stops loopprep (no
half-served content).  A user's own content directory is validated with the same schemas, but
a broken user file is skipped whole and reported, so one typo does not take the app down.
The user may add sources, frameworks and read-only model presets (YAML files anywhere in the
directory but ``problems/``) and coding problems (``problems/``, and ``LOOPPREP_PROBLEMS_DIR``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from loopprep.content.paths import DATA_ROOT, KNOWLEDGE_DIR, PROBLEMS_DIR
from loopprep.content.reader import read_yaml, validation_problems, yaml_files
from loopprep.content.schema import (
    FILE_MODELS,
    BarFile,
    CompanyProfile,
    Framework,
    LevelsFile,
    Problem,
    RoleProfile,
    Round,
    Source,
    WeightsFile,
)
from loopprep.content.schema.estimate import EstimatePresets, ModelPreset
from loopprep.content.schema.plan import PlanFile
from loopprep.content.schema.stats_cases import CaseBank
from loopprep.domain import CompanyType, Role, RoundId
from loopprep.errors import ContentError, ContentProblem

DATA_DIR = KNOWLEDGE_DIR  # the knowledge base's own folder (kept for callers that name it)
PROBLEMS_FOLDER = "problems"  # under the data root and under a user's content directory
# Kinds a user's own directory may add to; the rest describe the loop itself and ship with loopprep.
USER_KINDS = ("sources", "frameworks", "model-presets")
Origin = Literal["shipped", "yours"]


@dataclass(frozen=True)
class ProblemBank:
    """The ML coding problems: shipped first, then the user's own (which may not reuse an id)."""

    problems: dict[str, Problem] = field(default_factory=dict)
    origin: dict[str, Origin] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    errors: tuple[ContentProblem, ...] = ()


@dataclass(frozen=True)
class ContentBank:
    """Everything loopprep ships (and the user added), validated and indexed by id."""

    sources: dict[str, Source]
    rounds: dict[RoundId, Round]
    bar: BarFile
    levels: LevelsFile
    companies: dict[CompanyType, CompanyProfile]
    roles: dict[Role, RoleProfile]
    weights: WeightsFile
    frameworks: dict[str, Framework]
    coding: ProblemBank
    stats_cases: CaseBank
    estimate: EstimatePresets
    plan: PlanFile
    user_models: dict[str, ModelPreset] = field(default_factory=dict)
    user_problems: tuple[ContentProblem, ...] = ()

    def source_list(self, ids: Iterable[str]) -> list[Source]:
        return [self.sources[i] for i in ids]


# ---- one file ---------------------------------------------------------------------------------


def parse_file(path: Path, label: str) -> tuple[Any | None, list[ContentProblem]]:
    """A content file with a ``kind``, validated by that kind's schema."""
    raw, problems = read_yaml(path, label)
    if problems:
        return None, problems
    if not isinstance(raw, dict) or "kind" not in raw:
        kinds = ", ".join(FILE_MODELS)
        return None, [ContentProblem(label, None, "kind", f"a content file starts with `kind:` (one of {kinds})")]
    model = FILE_MODELS.get(str(raw["kind"]))
    if model is None:
        known = ", ".join(FILE_MODELS)
        return None, [ContentProblem(label, None, "kind", f"unknown kind '{raw['kind']}' (one of {known})")]
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, validation_problems(exc, label, raw)


def parse_problem(path: Path, label: str) -> tuple[Problem | None, list[ContentProblem]]:
    """One coding problem file, validated whole: the problem, or None with every problem found."""
    raw, problems = read_yaml(path, label)
    if problems:
        return None, problems
    if not isinstance(raw, dict):
        return None, [ContentProblem(label, None, None, "a problem file must be a mapping of fields")]
    entry = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        problem = Problem.model_validate(raw)
    except ValidationError as exc:
        return None, validation_problems(exc, label, raw, whole=True, entry=entry)
    if path.stem != problem.id:
        return None, [ContentProblem(label, problem.id, "id", f"the file must be named {problem.id}.yaml")]
    return problem, []


def _add_problems(
    directory: Path, origin: Origin, bank: ProblemBank, errors: list[ContentProblem], *, label: Any = None
) -> None:
    """Add every problem file of ``directory`` (named by file name unless ``label`` says otherwise)."""
    label = label or (lambda path: path.name)
    if not directory.is_dir():
        errors.append(ContentProblem(str(directory), None, None, "is not a directory"))
        return
    for path in yaml_files(directory, recursive=False):
        name = label(path)
        problem, errs = parse_problem(path, name)
        if problem is None:
            errors.extend(errs)
            continue
        if problem.id in bank.problems:
            errors.append(ContentProblem(name, problem.id, "id", f"the id is already used by {bank.files[problem.id]}"))
            continue
        bank.problems[problem.id] = problem
        bank.origin[problem.id] = origin
        bank.files[problem.id] = name


def load_problem_dir(directory: Path) -> ProblemBank:
    """Every problem file in ``directory`` on its own (``loopprep code check DIR``); broken files
    are left out and named in ``errors``."""
    bank = ProblemBank()
    errors: list[ContentProblem] = []
    _add_problems(directory, "yours", bank, errors)
    return ProblemBank(bank.problems, bank.origin, bank.files, tuple(errors))


# ---- the shipped bank -------------------------------------------------------------------------


def _collect(docs: list[tuple[str, Any]], attr: str, problems: list[ContentProblem]) -> dict[Any, Any]:
    """Entries of every file of one kind by id; a duplicate id is a problem."""
    found: dict[Any, Any] = {}
    origin: dict[Any, str] = {}
    for label, doc in docs:
        for entry in getattr(doc, attr):
            if entry.id in found:
                problems.append(ContentProblem(label, str(entry.id), "id", f"duplicate id, also in {origin[entry.id]}"))
                continue
            found[entry.id] = entry
            origin[entry.id] = label
    return found


def _single(by_kind: dict[str, list[tuple[str, Any]]], kind: str, problems: list[ContentProblem]) -> Any:
    docs = by_kind[kind]
    if len(docs) != 1:
        where = ", ".join(lbl for lbl, _ in docs) or "(none)"
        problems.append(ContentProblem(where, None, "kind", f"exactly one `{kind}` file is needed, found {len(docs)}"))
    return docs[0][1] if docs else None


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


def _level_problems(by_kind: dict[str, list[tuple[str, Any]]], out: dict[str, Any]) -> list[ContentProblem]:
    """Every level band named outside levels.yaml (the bar's sides, the weights' level splits,
    frameworks' split items) must agree with the level mapping."""
    levels: LevelsFile = out["levels"]
    bar_sides = {side.id: side for side in out["bar"].sides}
    splits = {split.id: split for split in out["weights"].level_splits}
    where = by_kind["levels"][0][0]
    problems = [
        ContentProblem(where, band.id.value, field, f"unknown {what} '{ref}'")
        for band in levels.bands
        for field, what, ref, known in (
            ("bar_side", "bar side", band.bar_side, bar_sides),
            ("split", "level split", band.split, splits),
        )
        if ref not in known
    ]

    def disagree(label: str, entry: str, field: str, named: list[Any], mapped: list[Any]) -> None:
        if sorted(named) != sorted(mapped):
            names = ", ".join(lv.label for lv in named) or "none"
            want = ", ".join(lv.label for lv in mapped) or "none"
            problems.append(ContentProblem(label, entry, field, f"names {names}, but levels.yaml puts {want} here"))

    for label, doc in by_kind["bar"]:
        for side in doc.sides:
            disagree(label, side.id, "levels", side.levels, levels.levels_with(bar_side=side.id))
    for label, doc in by_kind["weights"]:
        for split in doc.level_splits:
            disagree(label, split.id, "levels", split.levels, levels.levels_with(split=split.id))
    for label, doc in by_kind["frameworks"]:
        for fw in doc.entries:
            for group in fw.groups:
                for item in group.items:
                    if item.split is not None and item.split not in splits:
                        problems.append(
                            ContentProblem(label, fw.id, f"{item.id}.split", f"unknown level split '{item.split}'")
                        )
    return problems


def _shipped(data_dir: Path) -> tuple[dict[str, Any], ProblemBank]:
    """Every shipped file, validated and cross-checked; raises ``ContentError`` on any problem."""

    def label(path: Path) -> str:
        return str(path.relative_to(DATA_ROOT.parents[1])) if data_dir == DATA_ROOT else str(path)

    by_kind: dict[str, list[tuple[str, Any]]] = {k: [] for k in FILE_MODELS}
    problems: list[ContentProblem] = []
    for path in yaml_files(data_dir, skip=(PROBLEMS_FOLDER,)):
        doc, errs = parse_file(path, label(path))
        problems += errs
        if doc is not None:
            by_kind[doc.kind].append((label(path), doc))
    coding = ProblemBank()
    _add_problems(data_dir / PROBLEMS_FOLDER, "shipped", coding, problems, label=label)
    if problems:
        raise ContentError(problems)

    out: dict[str, Any] = {k: _single(by_kind, k, problems) for k in ("bar", "levels", "weights", "plan-rules")}
    out["sources"] = _collect(by_kind["sources"], "entries", problems)
    out["frameworks"] = _collect(by_kind["frameworks"], "entries", problems)
    for kind, enum in (("rounds", RoundId), ("companies", CompanyType), ("roles", Role)):
        found = _collect(by_kind[kind], "entries", problems)
        missing = [e.value for e in enum if e not in found]
        if missing:
            problems.append(ContentProblem(kind, None, "entries", f"missing entries for {missing}"))
        out[kind] = {e: found[e] for e in enum if e in found}
    cases = _collect(by_kind["stats-cases"], "cases", problems)
    case_sources = _collect(by_kind["stats-case-sources"], "sources", problems)
    out["stats_cases"] = CaseBank(cases=cases, sources=case_sources)
    out["estimate"] = EstimatePresets(
        models=_collect(by_kind["model-presets"], "models", problems),
        accelerators=_collect(by_kind["accelerator-presets"], "accelerators", problems),
        dtypes=_collect(by_kind["dtype-presets"], "dtypes", problems),
    )
    if problems:
        raise ContentError(problems)

    out["rounds"] = dict(sorted(out["rounds"].items(), key=lambda kv: kv[1].number))
    labels = {lbl.id for lbl in out["weights"].labels}
    for kind in ("rounds", "companies", "roles", "frameworks", "sources"):
        for lbl, doc in by_kind[kind]:
            problems += _reference_problems(lbl, doc.entries, out["sources"], out["frameworks"], labels)
    problems += _level_problems(by_kind, out)
    for lbl, doc in by_kind["bar"] + by_kind["levels"] + by_kind["weights"]:
        problems += [
            ContentProblem(lbl, None, "sources", f"unknown source id '{s}'")
            for s in doc.sources
            if s not in out["sources"]
        ]
    for lbl, doc in by_kind["stats-cases"]:
        for case in doc.cases:
            problems += [
                ContentProblem(lbl, case.id, "sources", f"unknown source '{s}'")
                for s in case.sources
                if s not in case_sources
            ]
    if problems:
        raise ContentError(problems)
    return out, coding


# ---- the user's own ---------------------------------------------------------------------------


def _add_user_files(user_dir: Path, out: dict[str, Any], user_models: dict[str, ModelPreset]) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    labels = {lbl.id for lbl in out["weights"].labels}
    sources, frameworks = dict(out["sources"]), dict(out["frameworks"])
    parsed = []
    for path in yaml_files(user_dir, skip=(PROBLEMS_FOLDER,)):
        doc, errs = parse_file(path, str(path))
        if errs or doc is None:
            problems += errs
            continue
        if doc.kind not in USER_KINDS:
            may = ", ".join(USER_KINDS)
            problems.append(
                ContentProblem(str(path), None, "kind", f"`{doc.kind}` ships with loopprep; your files may add {may}")
            )
            continue
        parsed.append((path, doc))
    # Sources first so frameworks in any file can cite them.
    parsed.sort(key=lambda pd: pd[1].kind != "sources")
    for path, doc in parsed:
        if doc.kind == "model-presets":
            target: dict[str, Any] = user_models
            entries: list[Any] = doc.models
            taken = set(out["estimate"].models) | set(user_models)
        else:
            target = sources if doc.kind == "sources" else frameworks
            entries = doc.entries
            taken = set(target)
        clash = [e.id for e in entries if e.id in taken]
        errs = [ContentProblem(str(path), c, "id", "this id is already taken; pick another") for c in clash]
        if doc.kind == "frameworks":
            known = frameworks | {e.id: e for e in entries}
            errs += _reference_problems(str(path), entries, sources, known, labels)
        if errs:
            problems += errs
            continue
        target.update({e.id: e for e in entries})
    out["sources"], out["frameworks"] = sources, frameworks
    return problems


def load_bank(
    user_dir: Path | None = None, *, problems_dir: Path | None = None, data_dir: Path = DATA_ROOT
) -> ContentBank:
    """Load the shipped content (raising ``ContentError`` naming file, entry and field on any
    problem), then the user's content directory and problems directory (skipping a broken user
    file whole and recording why in ``user_problems``; problem files also in ``coding.errors``)."""
    out, shipped = _shipped(data_dir)
    coding = ProblemBank(dict(shipped.problems), dict(shipped.origin), dict(shipped.files))
    user_problems: list[ContentProblem] = []
    problem_errors: list[ContentProblem] = []
    user_models: dict[str, ModelPreset] = {}
    if user_dir is not None:
        if not user_dir.is_dir():
            user_problems.append(ContentProblem(str(user_dir), None, None, "the content directory does not exist"))
        else:
            user_problems += _add_user_files(user_dir, out, user_models)
            if (user_dir / PROBLEMS_FOLDER).is_dir():
                _add_problems(user_dir / PROBLEMS_FOLDER, "yours", coding, problem_errors)
    if problems_dir is not None:
        _add_problems(problems_dir, "yours", coding, problem_errors)
    user_problems += problem_errors
    return ContentBank(
        sources=out["sources"],
        rounds=out["rounds"],
        bar=out["bar"],
        levels=out["levels"],
        companies=out["companies"],
        roles=out["roles"],
        weights=out["weights"],
        frameworks=out["frameworks"],
        coding=ProblemBank(coding.problems, coding.origin, coding.files, tuple(problem_errors)),
        stats_cases=out["stats_cases"],
        estimate=out["estimate"],
        plan=out["plan-rules"],
        user_models=user_models,
        user_problems=tuple(user_problems),
    )


def check_directory(directory: Path) -> list[ContentProblem]:
    """Validate every content file in ``directory`` (``loopprep content check DIR``): the shipped
    data root is checked as shipped content, any other directory as a user's content directory
    (its ``problems/`` folder included), cross-checked against the shipped bank."""
    if not directory.is_dir():
        return [ContentProblem(str(directory), None, None, "no such directory")]
    try:
        if directory.resolve() in (DATA_ROOT.resolve(), KNOWLEDGE_DIR.resolve(), PROBLEMS_DIR.resolve()):
            load_bank()
            return []
        return list(load_bank(directory).user_problems)
    except ContentError as exc:
        return list(exc.problems)
