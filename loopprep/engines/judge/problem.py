"""The ML coding problem format: one YAML file per problem, validated whole by :class:`Problem`.

The format is documented for authors in ``loopprep/content/data/problems/README.md``.
"""

from __future__ import annotations

import ast
import keyword
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loopprep.domain import CompanyType, Role
from loopprep.engines.judge.types import TypeSpec, TypeSyntaxError, check, parse

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TOPICS = ("classical-ml", "deep-learning", "llm", "metrics", "data-processing", "numerics")
MAX_SOURCE_BYTES = 64 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Tolerance(_Strict):
    """``math.isclose`` semantics: ``|got - expected| <= max(rel * max(|got|, |expected|), abs)``."""

    abs: float = Field(0.0, ge=0)
    rel: float = Field(0.0, ge=0)


class Raises(_Strict):
    raises: Literal["ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError"]


class Test(_Strict):
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    expected: Any
    tolerance: Tolerance | None = None
    visible: bool = False
    note: str = Field("", max_length=120, description="What the case covers, shown when a hidden case fails.")

    @property
    def raises(self) -> str | None:
        if isinstance(self.expected, dict) and set(self.expected) == {"raises"}:
            return Raises.model_validate(self.expected).raises
        return None


MUTANT_GROUPS = (
    "mutation",  # changes an input in place
    "numerics",  # a numerical trap: overflow, a max over the wrong span, sums that drift
    "ties",  # breaks ties by luck (unstable sort, argpartition)
    "requirement",  # ignores a stated complexity or vectorisation requirement
    "validation",  # misses an input check the statement asks for
    "off-by-one",
    "axis",
    "variance",  # population versus sample
    "other",
)


class Mutant(_Strict):
    bug: str = Field(min_length=3, description="What is wrong with this solution.")
    group: Literal[MUTANT_GROUPS] = Field("other", description="The kind of mistake.")  # type: ignore[valid-type]
    source: str


class RandomCases(_Strict):
    """Differential random testing: ``def generate(rng, size) -> dict`` returning ``{"args": [...],
    "kwargs": {...}}``, called once per seed ``seed .. seed + cases - 1`` with
    ``rng = numpy.random.default_rng(that seed)`` and ``size = 1 + i % 8``; the submission must agree
    with the reference on every case."""

    cases: int = Field(200, ge=20, le=2000)
    seed: int = Field(1000, ge=0, le=2**31)
    generator: str

    @field_validator("generator")
    @classmethod
    def _parses(cls, v: str) -> str:
        _must_parse(v)
        return v


class Perf(_Strict):
    """A seeded generator of one larger input: ``def generate(rng) -> dict`` returning
    ``{"args": [...], "kwargs": {...}}``; ``rng`` is ``numpy.random.default_rng(seed)``."""

    seed: int = 0
    generator: str
    require: float | None = Field(
        None,
        gt=1,
        le=1000,
        description="The statement requires this complexity: slower than `require` x the reference is a verdict.",
    )


class Limits(_Strict):
    time_s: float = Field(2.0, gt=0, le=20, description="CPU seconds for the whole submission.")
    memory_mb: int = Field(256, ge=16, le=4096, description="Address space above the judge's own, in MiB.")


class Problem(_Strict):
    id: str = Field(pattern=KEBAB, max_length=60)
    title: str = Field(min_length=3, max_length=100)
    difficulty: Literal["easy", "medium", "hard"]
    topics: list[Literal[TOPICS]] = Field(min_length=1)  # type: ignore[valid-type]
    roles: list[Role] = Field(min_length=1)
    companies: list[CompanyType] = Field(min_length=1)
    vectorised: bool = Field(False, description="The statement asks for vectorised code; slow solutions are flagged.")
    statement: str = Field(min_length=40)
    function: str
    signature: str
    returns: str = Field(description="The output type, in the parameter type grammar.")
    params: dict[str, str] = Field(description="Each parameter's type, in call order.")
    starter: str
    reference: str
    mutants: list[Mutant] = Field(min_length=2)
    forbidden: list[str] = Field(default_factory=list)
    tolerance: Tolerance | None = Field(
        default_factory=lambda: Tolerance(abs=1e-9, rel=1e-9),
        description="Default tolerance of the tests; null means exact.",
    )
    limits: Limits = Field(default_factory=Limits)
    tests: list[Test] = Field(min_length=6)
    perf: Perf | None = None
    random: RandomCases | None = Field(None, description="Random differential cases; without it, none run.")
    inputs: Literal["immutable", "mutable"] = Field(
        "immutable", description="`mutable` only where the statement allows changing an argument in place."
    )
    expected_minutes: int = Field(20, ge=5, le=90, description="The time an interviewer would give this problem.")
    sources: list[str] = Field(default_factory=list, description="Where the maths comes from (titles or URLs).")

    @field_validator("function")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not v.isidentifier() or keyword.iskeyword(v):
            raise ValueError(f"{v!r} is not a Python function name")
        return v

    @field_validator("forbidden")
    @classmethod
    def _dotted(cls, v: list[str]) -> list[str]:
        for name in v:
            if not all(part.isidentifier() for part in name.split(".")):
                raise ValueError(f"{name!r} is not a dotted name such as numpy.linalg.inv")
        return v

    @field_validator("params")
    @classmethod
    def _types(cls, v: dict[str, str]) -> dict[str, str]:
        for name, text in v.items():
            if not name.isidentifier():
                raise ValueError(f"parameter {name!r} is not a Python identifier")
            try:
                parse(text)
            except TypeSyntaxError as exc:
                raise ValueError(f"parameter {name!r}: {exc}") from None
        return v

    @field_validator("returns")
    @classmethod
    def _returns(cls, v: str) -> str:
        try:
            parse(v)
        except TypeSyntaxError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("starter", "reference")
    @classmethod
    def _parses(cls, v: str) -> str:
        _must_parse(v)
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Problem:
        for j, m in enumerate(self.mutants):
            try:
                _must_parse(m.source)
            except ValueError as exc:
                raise ValueError(f"mutants[{j}]: {exc}") from None
        if len({m.source.strip() for m in self.mutants} | {self.reference.strip()}) != len(self.mutants) + 1:
            raise ValueError("mutants must differ from each other and from the reference")
        names = list(self.params)
        specs = self.param_specs
        for i, t in enumerate(self.tests):
            where = f"tests[{i}]"
            if len(t.args) > len(names):
                raise ValueError(f"{where}: {len(t.args)} positional arguments but only {len(names)} params")
            for key in t.kwargs:
                if key not in specs:
                    raise ValueError(f"{where}: keyword {key!r} is not among params ({', '.join(names)})")
                if key in names[: len(t.args)]:
                    raise ValueError(f"{where}: {key!r} given both by position and by keyword")
            supplied = list(zip(names, t.args, strict=False)) + list(t.kwargs.items())
            for name, value in supplied:
                why = check(specs[name], value)
                if why:
                    raise ValueError(f"{where}: argument {name!r}: {why}")
            if isinstance(t.expected, dict) and "raises" in t.expected and set(t.expected) != {"raises"}:
                raise ValueError(f"{where}: an error case is written `expected: {{raises: ValueError}}` alone")
            if isinstance(t.expected, dict) and set(t.expected) == {"raises"}:
                allowed = get_args(Raises.model_fields["raises"].annotation)
                if t.expected["raises"] not in allowed:
                    raise ValueError(f"{where}: raises {t.expected['raises']!r} is not one of {', '.join(allowed)}")
            if not t.visible and not t.note:
                raise ValueError(f"{where}: a hidden test needs a note (e.g. 'edge case: empty input')")
        visible = sum(t.visible for t in self.tests)
        if visible < 1:
            raise ValueError("at least one test must be visible (the examples)")
        if len(self.tests) - visible < 5:
            raise ValueError(f"at least 5 hidden tests are needed, found {len(self.tests) - visible}")
        return self

    @property
    def param_specs(self) -> dict[str, TypeSpec]:
        return {name: parse(text) for name, text in self.params.items()}

    def tolerance_of(self, test: Test) -> Tolerance | None:
        """The test's own tolerance when it sets one (null included), else the problem's."""
        return test.tolerance if "tolerance" in test.model_fields_set else self.tolerance


def _must_parse(source: str) -> None:
    if len(source.encode()) > MAX_SOURCE_BYTES:
        raise ValueError(f"source is larger than {MAX_SOURCE_BYTES // 1024} KiB")
    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"Python syntax error on line {exc.lineno}: {exc.msg}") from None
    except (RecursionError, MemoryError):  # the parser's own stack gives out on deeply nested code
        raise ValueError("the source is nested too deeply to parse") from None
