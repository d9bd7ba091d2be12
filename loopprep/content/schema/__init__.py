"""Pydantic schemas for every kind of content, one module per kind.

Every content file but a coding problem is a YAML mapping whose ``kind`` names its schema
(``FILE_MODELS``); a coding problem is one file per problem, validated by ``Problem``.  Models
forbid unknown fields, so a typo is an error rather than a silently ignored key."""

from __future__ import annotations

from pydantic import BaseModel

from loopprep.content.schema.estimate import AcceleratorsFile, DtypesFile, ModelsFile
from loopprep.content.schema.knowledge import *  # noqa: F403  (the knowledge models, as before)
from loopprep.content.schema.knowledge import (
    KINDS,
    BarFile,
    CompaniesFile,
    ContentFile,
    FrameworksFile,
    LevelsFile,
    RolesFile,
    RoundsFile,
    SourcesFile,
    WeightsFile,
)
from loopprep.content.schema.plan import PlanFile
from loopprep.content.schema.problems import Problem
from loopprep.content.schema.stats_cases import CasesFile, CaseSourcesFile

FILE_MODELS: dict[str, type[BaseModel]] = {
    "sources": SourcesFile,
    "rounds": RoundsFile,
    "levels": LevelsFile,
    "bar": BarFile,
    "companies": CompaniesFile,
    "roles": RolesFile,
    "weights": WeightsFile,
    "frameworks": FrameworksFile,
    "stats-cases": CasesFile,
    "stats-case-sources": CaseSourcesFile,
    "model-presets": ModelsFile,
    "accelerator-presets": AcceleratorsFile,
    "dtype-presets": DtypesFile,
    "plan-rules": PlanFile,
}

__all__ = ["FILE_MODELS", "KINDS", "ContentFile", "Problem"]
