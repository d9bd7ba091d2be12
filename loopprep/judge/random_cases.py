"""Differential random testing, the trusted side: the problem's generated cases and the reference's
outputs on them, computed in a sandboxed child of their own and cached per problem digest.

The reference never runs in a submission's process (a submission could patch numpy at import).
A case on which the generator fails, returns arguments of the wrong type, or the reference raises is
the problem's fault: problem CI reports it; a submission is never judged on it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from loopprep.engines.judge.compare import Array, Tol
from loopprep.engines.judge.grade import BadEvent, CaseSpec, decode_value, parse_events
from loopprep.engines.judge.problem import Problem
from loopprep.engines.judge.types import check, parse
from loopprep.judge.client import Judge

CACHE_PROBLEMS = 256


@dataclass(frozen=True)
class RandomCase:
    i: int  # 0-based position in the seed set: "random case i + 1"
    seed: int
    args: list
    kwargs: dict
    expected: Any  # the reference's output, decoded


@dataclass
class ReferenceCases:
    digest: str
    seeds: list[int]
    cases: list[RandomCase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what is wrong with the problem, for CI

    def by_seed(self, seed: int) -> RandomCase | None:
        return next((c for c in self.cases if c.seed == seed), None)


def digest(problem: Problem) -> str:
    """Changes whenever anything that decides the random cases or their outputs does."""
    parts = [problem.reference, problem.function, problem.returns, repr(sorted(problem.params.items()))]
    parts.append(problem.random.model_dump_json() if problem.random else "")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def seeds_of(problem: Problem) -> list[int]:
    r = problem.random
    return [] if r is None else [r.seed + i for i in range(r.cases)]


_cache: OrderedDict[str, ReferenceCases] = OrderedDict()
_lock = threading.Lock()


def reference_cases(j: Judge, problem: Problem, *, fresh: bool = False) -> ReferenceCases:
    """The problem's random cases with the reference's outputs: from the cache when this problem
    digest was computed before in this process, else from one sandboxed child running them all."""
    key = digest(problem)
    if not fresh:
        with _lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
    out = _compute(j, problem, key)
    if not fresh:
        with _lock:
            _cache[key] = out
            while len(_cache) > CACHE_PROBLEMS:
                _cache.popitem(last=False)
    return out


def _compute(j: Judge, problem: Problem, key: str) -> ReferenceCases:
    seeds = seeds_of(problem)
    out = ReferenceCases(key, seeds)
    if problem.random is None:
        return out
    specs = problem.param_specs
    job = {
        "mode": "random_reference",
        "source": problem.reference,
        "function": problem.function,
        "params": [[name, spec.wire()] for name, spec in specs.items()],
        "generator": problem.random.generator,
        "seeds": seeds,
    }
    cpu = problem.limits.time_s * 2 + 1
    run = j.run(job, cpu_s=cpu, memory_mb=problem.limits.memory_mb)
    try:
        events = parse_events(run.output, max_events=4 * len(seeds) + 100)
    except BadEvent as exc:
        out.problems.append(f"random cases: unreadable output from the reference's child ({exc})")
        return out
    names = list(specs)
    made: dict[int, tuple[list, dict]] = {}
    finished = False
    for ev in events:
        kind, i = ev.get("event"), ev.get("i")
        if kind == "done":
            finished = True
        elif kind == "generator_error":
            where = "the generator"
            if isinstance(i, int) and 0 <= i < len(seeds):
                where = f"the generator on seed {seeds[i]}"
            out.problems.append(f"random cases: {where} failed: {ev.get('detail', '')}")
        elif kind in ("load_error", "missing_function", "compile_error"):
            out.problems.append(f"random cases: the reference did not load ({kind})")
        elif kind == "case" and isinstance(i, int) and 0 <= i < len(seeds):
            args, kwargs = ev.get("args"), ev.get("kwargs")
            why = _type_problem(specs, names, args, kwargs)
            if why:
                out.problems.append(f"random cases: the generator on seed {seeds[i]} returned {why}")
                continue
            assert isinstance(args, list) and isinstance(kwargs, dict)  # _type_problem checked both
            made[i] = (args, kwargs)
        elif kind == "ref" and i in made:
            if ev.get("status") != "ok":
                out.problems.append(
                    f"random cases: the reference raised {ev.get('type')} on seed {seeds[i]} "
                    f"(random case {i + 1}): {ev.get('message', '')}"
                )
                continue
            try:
                value = decode_value(ev.get("value"))
            except BadEvent as exc:
                out.problems.append(f"random cases: the reference's result on seed {seeds[i]} is unreadable ({exc})")
                continue
            args, kwargs = made[i]
            out.cases.append(RandomCase(i, seeds[i], args, kwargs, value))
    if not finished:
        out.problems.append(
            f"random cases: the reference's child ended early ({run.exit.kind} {run.exit.signal or ''} "
            f"{run.exit.detail}) after {len(out.cases)} of {len(seeds)} cases".replace("  ", " ")
        )
    return out


def _type_problem(specs: dict, names: list[str], args: Any, kwargs: Any) -> str | None:
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return "something other than {'args': [...], 'kwargs': {...}}"
    if len(args) > len(names):
        return f"{len(args)} positional arguments for {len(names)} parameters"
    supplied = list(zip(names, args, strict=False)) + list(kwargs.items())
    for name, value in supplied:
        if name not in specs:
            return f"an unknown keyword argument {name!r}"
        why = check(specs[name], value)
        if why:
            return f"argument {name!r} of the wrong type: {why}"
    return None  # a missing argument may have a default: the reference raising on it is reported instead


def expected_plain(value: Any) -> Any:
    """A decoded reference output as the comparison's expected value (arrays as nested lists)."""
    if isinstance(value, Array):
        return value.values
    if isinstance(value, list):
        return [expected_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: expected_plain(v) for k, v in value.items()}
    return value


def random_specs(problem: Problem, ref: ReferenceCases) -> list[CaseSpec]:
    """The random cases as hidden cases to grade, indexed after the problem's own tests."""
    tol = problem.tolerance
    returns = parse(problem.returns)
    base = len(problem.tests)
    return [
        CaseSpec(
            base + c.i,
            expected_plain(c.expected),
            Tol(tol.abs, tol.rel) if tol else None,
            False,
            f"random case {c.i + 1}",
            list(c.args),
            dict(c.kwargs),
            returns=returns,
            seed=c.seed,
        )
        for c in ref.cases
    ]
