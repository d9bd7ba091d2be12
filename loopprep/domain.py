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


class Phase(StrEnum):
    """The study plan's phases, in the order they happen."""

    RAMP_UP = "ramp-up"
    DEEP_STUDY = "deep-study"
    MOCK_SHARPEN = "mock-sharpen"
    REVIEW = "review"
    LIGHT_TOUCH = "light-touch"
    DAY_OF = "day-of"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]

    @property
    def order(self) -> int:
        return list(Phase).index(self)


PHASE_LABELS = {
    Phase.RAMP_UP: "Ramp-up",
    Phase.DEEP_STUDY: "Deep study",
    Phase.MOCK_SHARPEN: "Mock & sharpen",
    Phase.REVIEW: "Review mode",
    Phase.LIGHT_TOUCH: "Light touch",
    Phase.DAY_OF: "Day of",
}


class ItemKind(StrEnum):
    """What a plan task's ``item`` names: a knowledge-base topic (a round's focus area), a
    framework, a round, or an activity: a fixed one (company research, a paper, rest), a stats lab
    case or an ML coding problem.  Topics are *material* the plan teaches and reuses; frameworks
    are checklists to review; cases and problems are new work, each named at most once."""

    TOPIC = "topic"
    FRAMEWORK = "framework"
    ROUND = "round"
    ACTIVITY = "activity"


class Status(StrEnum):
    """A plan task's status."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    DROPPED = "dropped"


TaskStatus = Status


class Verdict(StrEnum):
    """The judge's verdict on a coding attempt."""

    ACCEPTED = "accepted"
    COMPILE_ERROR = "compile-error"
    WRONG_ANSWER = "wrong-answer"
    RUNTIME_ERROR = "runtime-error"
    TIME_LIMIT = "time-limit"
    MEMORY_LIMIT = "memory-limit"
    FORBIDDEN = "forbidden-call"
    TOO_SLOW = "too-slow"  # breaks a complexity the statement requires
    JUDGE_ERROR = "judge-error"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.ACCEPTED: "Accepted",
    Verdict.COMPILE_ERROR: "Compile error",
    Verdict.WRONG_ANSWER: "Wrong answer",
    Verdict.RUNTIME_ERROR: "Runtime error",
    Verdict.TIME_LIMIT: "Time limit exceeded",
    Verdict.MEMORY_LIMIT: "Memory limit exceeded",
    Verdict.FORBIDDEN: "Forbidden call",
    Verdict.TOO_SLOW: "Too slow",
    Verdict.JUDGE_ERROR: "Judge error",
}


class RunMode(StrEnum):
    """How a coding attempt was judged: the visible examples only, or every test."""

    RUN = "run"
    SUBMIT = "submit"


class DrillGrade(StrEnum):
    """How close an estimation drill answer came (the estimate engine's grade names)."""

    EXACT = "exact"
    GOOD = "good"
    ORDER = "order"
    OFF = "off"


# --- shared bounds ----------------------------------------------------------------------------

# Study minutes a day the plan accepts: 0 (a day off) up to 16 hours.  Forms, the CLI help, the
# plan service and the export check all read these two.
MIN_MINUTES_PER_DAY = 0
MAX_MINUTES_PER_DAY = 960
MINUTES_PER_DAY_RANGE = f"{MIN_MINUTES_PER_DAY}-{MAX_MINUTES_PER_DAY}"
# The longest a single plan task may be (a whole day).
MAX_TASK_MINUTES = 1440


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

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator  # noqa: E402


def whole_number_text(value: object) -> object:
    # pydantic's lax mode turns the text "3.0" into 3; a whole number written as a decimal is
    # still not what the schema promises (type integer), so text must be digits only.
    if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
        raise ValueError("must be a whole number, such as 3")
    return value


# An int that, given text (a query string, a form field), takes only digits with an optional sign.
WholeNumber = Annotated[int, BeforeValidator(whole_number_text)]
# The optional one checks before the union, so bounds given with Field stay on the number.
OptionalWholeNumber = Annotated[int | None, BeforeValidator(whole_number_text)]

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


# --- links --------------------------------------------------------------------------------------


class LinkKind(StrEnum):
    """What a link from a service result points at.  Services name the target by kind and id;
    only the web layer (``loopprep.web.urls``) turns a :class:`Link` into a path."""

    AREA = "area"  # a top-level area of the app: plan, rounds, bar, companies, roles, frameworks, ...
    PAGE = "page"  # a named page, e.g. ``estimate-drill`` (plan activities name theirs in content)
    ROUND = "round"
    FRAMEWORK = "framework"
    BAR = "bar"  # a section of the bar page (``the-bar`` for the page itself)
    COMPANY = "company"  # a company type's section of the companies page
    ROLE = "role"  # a role's section of the roles page
    PROBLEM = "problem"  # an ML coding problem
    STATS_CASE = "stats-case"
    STATS_CALCULATOR = "stats-calculator"
    ESTIMATE_CALCULATOR = "estimate-calculator"


class Link(BaseModel):
    """A link target: a kind and the id of the thing (never a path)."""

    model_config = ConfigDict(frozen=True)

    kind: LinkKind
    id: str
