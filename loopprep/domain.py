"""loopprep's typed vocabulary: the enums whose values are the content slugs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ML_ENGINEER = "ml-engineer"
    AI_LLM_ENGINEER = "ai-llm-engineer"
    DATA_SCIENTIST = "data-scientist"


class Level(StrEnum):
    L4 = "l4"
    L5 = "l5"
    L6_PLUS = "l6-plus"

    @property
    def label(self) -> str:
        return {"l4": "L4", "l5": "L5", "l6-plus": "L6+"}[self.value]


class CompanyType(StrEnum):
    FAANG = "faang"
    AI_FIRST_LAB = "ai-first-lab"
    PRODUCT_COMPANY = "product-company"
    STARTUP = "startup"


class RoundId(StrEnum):
    ML_SYSTEM_DESIGN = "ml-system-design"
    AI_SYSTEMS_DESIGN = "ai-systems-design"
    ML_CODING = "ml-coding"
    STATS_EXPERIMENTATION = "stats-experimentation"
    BEHAVIOURAL = "behavioural"


class Tier(StrEnum):
    """How much a role leans on a round (the sources' words)."""

    PRIMARY = "primary"
    IMPORTANT = "important"
    LIGHTER = "lighter"


ROLE_LABELS: dict[Role, str] = {
    Role.ML_ENGINEER: "ML engineer",
    Role.AI_LLM_ENGINEER: "AI/LLM engineer",
    Role.DATA_SCIENTIST: "Data scientist",
}
COMPANY_LABELS: dict[CompanyType, str] = {
    CompanyType.FAANG: "FAANG",
    CompanyType.AI_FIRST_LAB: "AI-first lab",
    CompanyType.PRODUCT_COMPANY: "Product company",
    CompanyType.STARTUP: "Startup",
}


# --- the profile ------------------------------------------------------------------------------

import datetime as _dt  # noqa: E402
from typing import Annotated  # noqa: E402

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator  # noqa: E402

# What each level means; the company ladders behind it are content (knowledge/levels.yaml), and a
# test keeps this one line in step with that table.
LEVEL_HELP = (
    "l4 (mid-level: Google L4, Meta E4, Amazon L5), l5 (senior: Google L5, Meta E5, Amazon L6) "
    "or l6-plus (staff and above: Google L6, Meta E6, Amazon L7)"
)

CompanyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Profile(BaseModel):
    """Who is preparing for what: the input to weights, plans and everything after."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role = Field(description="ml-engineer, ai-llm-engineer or data-scientist")
    level: Level = Field(description=LEVEL_HELP)
    company_types: list[CompanyType] = Field(
        min_length=1, description="One or more of faang, ai-first-lab, product-company, startup"
    )
    loop_date: _dt.date = Field(description="The first day of the interview loop (YYYY-MM-DD)")
    target_companies: list[CompanyName] = Field(
        default_factory=list, max_length=20, description="Optional company names"
    )

    @field_validator("company_types")
    @classmethod
    def _unique_types(cls, v: list[CompanyType]) -> list[CompanyType]:
        seen: list[CompanyType] = []
        for c in v:
            if c not in seen:
                seen.append(c)
        return seen

    @field_validator("target_companies")
    @classmethod
    def _unique_names(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for name in v:
            if name.lower() not in (o.lower() for o in out):
                out.append(name)
        return out
