"""The stats lab's experimentation cases and the sources they cite
(``content/data/stats-cases/``).  Numeric answers are never stored: each sub-question names a
calculator and its inputs, and the stats service computes the answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

AREAS = ("hypothesis", "randomisation", "metrics", "power", "validity", "decision")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class CaseSource(_Strict):
    id: str = Field(pattern=r"^ref-[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    url: str


class CheckItem(_Strict):
    area: Literal["hypothesis", "randomisation", "metrics", "power", "validity", "decision"]
    text: str


class NumericQuestion(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    question: str
    calculator: Literal["sample-size", "power", "mde", "ci", "srm", "adjust", "cuped", "did", "peeking"]
    inputs: dict[str, float | int | str | bool]
    answer: str
    tolerance: float = Field(0.02, ge=0, le=0.5)  # relative; 0 = exact (integers)


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    prompt: str
    asks: list[str] = Field(min_length=1)
    checklist: list[CheckItem] = Field(min_length=6)
    numeric: list[NumericQuestion] = Field(min_length=1)
    pitfalls: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _covers_every_area(self) -> Case:
        missing = set(AREAS) - {c.area for c in self.checklist}
        if missing:
            raise ValueError(f"checklist lacks area(s) {', '.join(sorted(missing))}")
        return self


class CasesFile(_Strict):
    kind: Literal["stats-cases"]
    cases: list[Case]


class CaseSourcesFile(_Strict):
    kind: Literal["stats-case-sources"]
    sources: list[CaseSource]


class CaseBank(_Strict):
    cases: dict[str, Case]
    sources: dict[str, CaseSource]
