"""Grading: the trusted side turns what the sandboxed child reported into a verdict.

The child's events are untrusted data; this module only reads them.  It holds the expected values
(the child never saw the hidden ones) and compares with :mod:`compare`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

# The verdicts live in loopprep.domain (the store and the services share them); re-exported here.
from loopprep.domain import VERDICT_LABELS as VERDICT_LABELS
from loopprep.domain import Verdict as Verdict
from loopprep.engines.judge.compare import Array, Tol, compare
from loopprep.engines.judge.types import TypeSpec


@dataclass(frozen=True)
class CaseSpec:
    """One test as the grader needs it (the child gets only ``args``/``kwargs``)."""

    index: int
    expected: Any
    tolerance: Tol | None
    visible: bool
    note: str
    args: list
    kwargs: dict
    returns: TypeSpec | None = None  # the declared return type: exact where it is int or bool
    seed: int | None = None  # a random case's seed (its args come from the problem's generator)

    @property
    def raises(self) -> str | None:
        e = self.expected
        return e["raises"] if isinstance(e, dict) and set(e) == {"raises"} else None


@dataclass(frozen=True)
class Exit:
    """How the child ended, as the zygote saw it."""

    kind: str  # "exited" | "signal" | "timeout" | "output-limit" | "crash"
    code: int | None = None
    signal: str | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    max_rss_kib: int = 0
    detail: str = ""


@dataclass
class CaseOutcome:
    index: int
    visible: bool
    note: str
    status: str  # passed | wrong | error | timeout | memory | forbidden | not-run
    ms: float | None = None
    message: str = ""
    args: list | None = None  # visible cases only
    kwargs: dict | None = None
    expected: Any = None
    got: Any = None
    traceback: str = ""
    mutated: list[str] = field(default_factory=list)
    seed: int | None = None  # a random case's seed, to replay it


@dataclass
class Graded:
    verdict: Verdict
    message: str
    passed: int
    total: int
    cases: list[CaseOutcome]
    line: int | None = None
    stdout: str = ""
    mutated: list[str] = field(default_factory=list)
    forbidden: str | None = None
    random: Any = None  # a random_run.RandomRun when random cases ran
    requirement: Any = None  # a timing.RequireOutcome when perf.require was checked


IMPORT_HINT = (
    "The judge offers numpy and the common standard-library modules (math, collections, itertools, functools, "
    "heapq, bisect, random, statistics, re, dataclasses, typing and a few more); other packages are not available."
)


class BadEvent(ValueError):
    """The child sent something that is not a well-formed event."""


MAX_DEPTH = 64  # the harness refuses results nested deeper than 32 levels


def decode_value(v: Any, depth: int = 0) -> Any:
    """Turn the child's plain data into the parent's values; ``.npy`` bytes load without pickle."""
    if depth > MAX_DEPTH:
        raise BadEvent("the result is nested too deeply")
    if isinstance(v, dict):
        if set(v) == {"__ndarray__"}:
            return _decode_array(v["__ndarray__"])
        return {str(k): decode_value(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [decode_value(x, depth + 1) for x in v]
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise BadEvent(f"unexpected value of type {type(v).__name__}")


def _decode_array(text: Any) -> Array:
    """``.npy`` bytes written by the child, which may have forged them: the header is read and checked
    against the data that follows before numpy allocates anything (a header may claim terabytes)."""
    if not isinstance(text, str):
        raise BadEvent("an array must be base64 text")
    import numpy as np  # here, not at the top: listing problems must not pay for numpy's import

    try:
        raw = base64.b64decode(text, validate=True)
        head = _head_length(raw)
        shape, fortran, dtype = _read_header(raw[:head])
        if dtype.kind not in "biuf":
            raise BadEvent(f"array of dtype {dtype} is not allowed")
        if math.prod(shape) * dtype.itemsize != len(raw) - head:
            raise BadEvent("the array's data does not match its header")
        arr = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=head)
        arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
    except BadEvent:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever numpy makes of forged bytes, they are unreadable
        raise BadEvent(f"unreadable array ({type(exc).__name__})") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
        raise BadEvent("unreadable array")
    return Array(str(arr.dtype), tuple(arr.shape), arr.tolist())


def _head_length(raw: bytes) -> int:
    """Where a ``.npy`` file's data starts: magic (6 bytes), version (2), header length, header."""
    if len(raw) < 10 or raw[:6] != b"\x93NUMPY":
        raise BadEvent("not a .npy array")
    if raw[6] == 1:
        return 10 + int.from_bytes(raw[8:10], "little")
    if raw[6] == 2 and len(raw) >= 12:
        return 12 + int.from_bytes(raw[8:12], "little")
    raise BadEvent(f"unsupported .npy version {raw[6]}")


@functools.lru_cache(maxsize=1024)
def _read_header(head: bytes):
    """(shape, fortran order, dtype) of a ``.npy`` header; cached, since a run's results share a few
    headers and parsing one costs numpy a ``literal_eval``."""
    import numpy as np

    fh = io.BytesIO(head)
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fh)
    return np.lib.format.read_array_header_2_0(fh)


def parse_events(raw: bytes, max_events: int | None = None) -> list[dict]:
    """One JSON object per line; anything else makes the whole run a runtime error upstream.

    ``max_events`` bounds the lines before any is parsed: the harness writes a few events per test,
    and 16 MiB of tiny forged ones would otherwise cost this trusted process seconds."""
    if max_events is not None and raw.count(b"\n") + raw.count(b"\r") > max_events:
        raise BadEvent(f"more than {max_events} events")
    events = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise BadEvent(f"unreadable output from the sandbox: {exc}") from None
        if not isinstance(ev, dict) or "event" not in ev:
            raise BadEvent("an output line is not an event")
        events.append(ev)
    return events


def _show(v: Any) -> Any:
    """A JSON-friendly view of a decoded value for the visible-case table."""
    if isinstance(v, Array):
        return v.values
    if isinstance(v, list):
        return [_show(x) for x in v]
    if isinstance(v, dict):
        return {k: _show(x) for k, x in v.items()}
    return v


def _category(case: CaseSpec) -> str:
    return case.note or f"hidden case {case.index + 1}"


def grade(
    cases: list[CaseSpec],
    raw: bytes,
    exit: Exit,
    *,
    static_forbidden: str | None = None,
    immutable: bool = False,
    arg_names: tuple[str, ...] | None = None,
) -> Graded:
    """The verdict for one run.  ``cases`` are the tests sent, in order (visible ones first: see
    the leak rule below); ``raw`` is the child's output.

    ``immutable``: a case whose call changed an argument in place fails as a wrong answer naming
    the argument (the problem's ``inputs: immutable``); otherwise the change is only listed.
    ``arg_names``: the parameters; a changed-argument name outside them was forged and is dropped.

    The leak rule: a hidden or random case's outcome carries its status and note only, never a
    print, an exception message or a traceback, which could show its data.  Events the harness
    writes before any user code sees data (load errors, printed output) count only where the
    harness writes them: code running on hidden data could forge later ones."""
    try:
        g = _grade(cases, raw, exit, static_forbidden, immutable, arg_names)
    except RecursionError:  # only forged output nests this deep: the harness caps its results at 32 levels
        return _failed_run(cases, Verdict.RUNTIME_ERROR, "Your code corrupted the judge's channel: nested too deeply.")
    g.cases.sort(key=lambda c: c.index)
    return g


LOAD_EVENTS = ("compile_error", "forbidden", "missing_function", "load_error")


def _grade(
    cases: list[CaseSpec],
    raw: bytes,
    exit: Exit,
    static_forbidden: str | None,
    immutable: bool,
    arg_names: tuple[str, ...] | None = None,
) -> Graded:
    total = len(cases)
    if exit.kind == "output-limit":  # the zygote stopped reading mid-line: drop the cut line
        raw = raw[: raw.rfind(b"\n") + 1]
    if static_forbidden:
        return Graded(
            Verdict.FORBIDDEN,
            f"Your code uses {static_forbidden}, which this problem forbids.",
            0,
            total,
            [CaseOutcome(c.index, c.visible, c.note, "not-run") for c in cases],
            forbidden=static_forbidden,
        )
    try:
        # the harness writes start, one event per test, stdout and done: far more lines is a flood
        events = parse_events(raw, max_events=4 * total + 1000)
    except BadEvent as exc:
        if exit.kind == "output-limit":
            return _failed_run(cases, Verdict.RUNTIME_ERROR, f"Output limit exceeded ({exit.detail}).")
        return _failed_run(cases, Verdict.RUNTIME_ERROR, f"Your code corrupted the judge's channel: {exc}.")
    by_kind: dict[str, list[dict]] = {}
    ev: dict | None
    loaded = False
    for ev in events:
        kind = str(ev.get("event"))
        if loaded and kind in LOAD_EVENTS:  # written after the code loaded: not by the harness
            return _failed_run(
                cases, Verdict.RUNTIME_ERROR, "Your code corrupted the judge's channel: a load event after loading."
            )
        loaded = loaded or kind == "loaded"
        by_kind.setdefault(kind, []).append(ev)
    # the first one: the harness writes it before any hidden case runs
    stdout = str((by_kind.get("stdout") or [{}])[0].get("text", ""))[:10_000]

    if "compile_error" in by_kind:
        ev = by_kind["compile_error"][0]
        line = ev.get("line") if isinstance(ev.get("line"), int) else None
        g = _failed_run(cases, Verdict.COMPILE_ERROR, f"Syntax error on line {line}: {ev.get('message', '')}")
        g.line = line
        return g
    if "forbidden" in by_kind:
        name = str(by_kind["forbidden"][0].get("name", "a forbidden name"))
        g = _failed_run(cases, Verdict.FORBIDDEN, f"Your code uses {name}, which this problem forbids.")
        g.forbidden = name
        return g
    if "missing_function" in by_kind:
        ev = by_kind["missing_function"][0]
        defined = ev.get("defined") if isinstance(ev.get("defined"), list) else []
        extra = f" It defines: {', '.join(map(str, defined))}." if defined else ""
        return _failed_run(
            cases, Verdict.COMPILE_ERROR, f"Your code does not define a function named `{ev.get('name')}`.{extra}"
        )
    if "load_error" in by_kind:
        ev = by_kind["load_error"][0]
        if ev.get("kind") == "memory":
            return _failed_run(cases, Verdict.MEMORY_LIMIT, "Memory ran out while your code was loading.")
        etype = str(ev.get("type", "an error"))
        g = _failed_run(cases, Verdict.RUNTIME_ERROR, f"Your code raised {etype} while it was loading.")
        if etype in ("ModuleNotFoundError", "ImportError"):
            g.message += " " + IMPORT_HINT
        g.cases[0].traceback = str(ev.get("traceback", ""))[:5000] if g.cases else ""
        g.message += "\n" + str(ev.get("traceback", ""))[:5000]
        return g

    reported: dict[int, dict] = {}
    for ev in by_kind.get("test", []):
        i = ev.get("i")
        if isinstance(i, int) and 0 <= i < total and i not in reported:
            reported[i] = ev
    done = "done" in by_kind

    outcomes: list[CaseOutcome] = []
    first_fail: tuple[Verdict, str] | None = None
    forbidden: str | None = None  # the forbidden name, when that is the first failure
    mutated: set[str] = set()
    for pos, case in enumerate(cases):
        out = CaseOutcome(case.index, case.visible, case.note, "not-run")
        if case.visible:
            out.args, out.kwargs, out.expected = case.args, case.kwargs, case.expected
        ev = reported.get(pos)
        if ev is None:
            if first_fail is None:
                verdict, msg = _ended_early(exit, done)
                out.status = (
                    "timeout"
                    if verdict is Verdict.TIME_LIMIT
                    else ("memory" if verdict is Verdict.MEMORY_LIMIT else "error")
                )
                out.message = msg
                first_fail = (verdict, f"{msg} ({_where(case)})")
            outcomes.append(out)
            continue
        out.ms = ev["ms"] if isinstance(ev.get("ms"), (int, float)) else None
        status = ev.get("status")
        v, msg = _judge_case(case, ev, out)
        if status == "ok" and isinstance(ev.get("mutated"), list):
            out.mutated = [str(x)[:60] for x in ev["mutated"]][:10]
            if arg_names is not None:
                out.mutated = [m for m in out.mutated if m in arg_names]
            mutated.update(out.mutated)
            if immutable and out.mutated and v is None:
                names = ", ".join(f"`{m}`" for m in out.mutated)
                out.status = "wrong"
                out.message = f"changed {names} in place"
                v, msg = (
                    Verdict.WRONG_ANSWER,
                    f"Your function changed its argument {names} in place; this problem's inputs must not change",
                )
        if not case.visible:
            out.traceback = ""  # the leak rule: a hidden case shows its status and note only
        if v is None:
            out.status = "passed"
        elif first_fail is None:
            first_fail = (v, f"{msg} ({_where(case)})")
            if v is Verdict.FORBIDDEN:
                forbidden = _forbidden_name(ev.get("name"))
        outcomes.append(out)

    passed = sum(o.status == "passed" for o in outcomes)
    if first_fail is None:
        if not done and total:
            first_fail = _ended_early(exit, done)
        else:
            return Graded(
                Verdict.ACCEPTED,
                f"All {total} tests passed.",
                passed,
                total,
                outcomes,
                stdout=stdout,
                mutated=sorted(mutated),
            )
    verdict, msg = first_fail
    return Graded(verdict, msg, passed, total, outcomes, stdout=stdout, mutated=sorted(mutated), forbidden=forbidden)


def _where(case: CaseSpec) -> str:
    return f"example {case.index + 1}" if case.visible else _category(case)


def _judge_case(case: CaseSpec, ev: dict, out: CaseOutcome) -> tuple[Verdict | None, str]:
    status = ev.get("status")
    if status == "forbidden":
        out.status = "forbidden"
        name = _forbidden_name(ev.get("name"))
        out.message = f"used {name}"
        return Verdict.FORBIDDEN, f"Your code uses {name}, which this problem forbids"
    if status == "memory":
        out.status = "memory"
        out.message = "MemoryError"
        return Verdict.MEMORY_LIMIT, "Memory ran out"
    if status == "bad_output":
        out.status = "wrong"
        out.message = str(ev.get("message", ""))[:300] if case.visible else "the result is not plain data"
        return Verdict.WRONG_ANSWER, out.message
    want_raise = case.raises
    if status == "error":
        etype = str(ev.get("type", "Exception"))
        mro = [str(x) for x in ev.get("mro", [])] if isinstance(ev.get("mro"), list) else [etype]
        if want_raise and want_raise in mro:
            return None, ""
        if etype == "MemoryError":
            out.status = "memory"
            return Verdict.MEMORY_LIMIT, "Memory ran out"
        out.status = "error"
        etype = etype[:60]
        if case.visible:
            out.traceback = str(ev.get("traceback", ""))[:5000]
            out.message = f"{etype}: {str(ev.get('message', ''))[:300]}"
        else:  # the message and traceback may echo hidden data
            out.message = etype
        if want_raise:
            out.status = "wrong"
            out.message = f"expected {want_raise} to be raised, but {etype} was raised"
            return Verdict.WRONG_ANSWER, out.message
        return Verdict.RUNTIME_ERROR, f"Your code raised {etype}"
    if status != "ok":
        out.status = "error"
        out.message = "a test status the harness never writes: did your code write to the judge's channel?"
        return Verdict.RUNTIME_ERROR, "The judge's channel held a test status the harness never writes"
    if want_raise:
        out.status = "wrong"
        out.message = f"expected {want_raise} to be raised, but the function returned"
        with contextlib.suppress(BadEvent):
            out.got = _show(decode_value(ev.get("value"))) if case.visible else None
        return Verdict.WRONG_ANSWER, out.message
    try:
        got = decode_value(ev.get("value"))
    except (BadEvent, ValueError) as exc:
        out.status = "wrong"
        out.message = f"unreadable result: {exc}"
        return Verdict.WRONG_ANSWER, out.message
    if case.visible:
        out.got = _show(got)
    mismatch = compare(case.expected, got, case.tolerance, spec=case.returns)
    if mismatch is None:
        return None, ""
    out.status = "wrong"
    out.message = mismatch.describe() if case.visible else mismatch.reason
    return Verdict.WRONG_ANSWER, "Wrong answer" if not case.visible else f"Wrong answer: {out.message}"


def _forbidden_name(name: Any) -> str:
    """A forbidden name as the harness reports it: a dotted identifier; anything else was forged."""
    text = str(name)
    if len(text) <= 80 and all(part.isidentifier() for part in text.split(".")):
        return text
    return "a forbidden name"


def _ended_early(exit: Exit, done: bool) -> tuple[Verdict, str]:
    if exit.kind == "timeout":
        return Verdict.TIME_LIMIT, f"Time limit exceeded ({exit.detail or 'wall clock'})"
    if exit.kind == "signal" and exit.signal in ("SIGXCPU",):
        return Verdict.TIME_LIMIT, "Time limit exceeded (CPU time)"
    if exit.kind == "signal" and exit.signal == "SIGKILL" and exit.detail == "cpu":
        return Verdict.TIME_LIMIT, "Time limit exceeded (CPU time)"
    if exit.kind == "output-limit":
        return Verdict.RUNTIME_ERROR, f"Output limit exceeded ({exit.detail})"
    if exit.kind == "signal":
        if exit.signal == "SIGSEGV":
            return Verdict.MEMORY_LIMIT, "The process crashed (SIGSEGV), most likely out of memory"
        return Verdict.RUNTIME_ERROR, f"The process was killed by {exit.signal}"
    if exit.kind == "exited":
        return Verdict.RUNTIME_ERROR, f"Your code ended the process (exit status {exit.code}) before returning"
    return Verdict.JUDGE_ERROR, f"The sandbox stopped unexpectedly: {exit.detail or exit.kind}"


def _failed_run(cases: list[CaseSpec], verdict: Verdict, message: str) -> Graded:
    return Graded(verdict, message, 0, len(cases), [CaseOutcome(c.index, c.visible, c.note, "not-run") for c in cases])
