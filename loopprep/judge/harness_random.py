"""The random cases' side of the harness, run in a sandboxed child of its own: the problem's
generator and reference, never a submission (see :mod:`loopprep.judge.random_cases`)."""

from __future__ import annotations

import sys
import traceback

import numpy as np

from loopprep.judge.harness import MAX_DEPTH, EncodeError, _call_args, _Discard, encode, load


def plain(value, depth: int = 0):
    """A generator's value as YAML-like plain data (arrays become nested lists), or EncodeError."""
    if depth > MAX_DEPTH:
        raise EncodeError("nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise EncodeError(f"an array of dtype {value.dtype}")
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(type(k) is str for k in value):
            raise EncodeError("a dict with keys that are not strings")
        return {k: plain(v, depth + 1) for k, v in value.items()}
    raise EncodeError(f"a value of type {type(value).__name__}")


def run_random_reference(job: dict, emit) -> None:
    """The problem's random cases: for seed ``s`` (the i-th), ``generate(default_rng(s), 1 + i % 8)``,
    its arguments as plain data, then the reference's result on exactly those arguments converted
    back by the declared types (as the submission will receive them).  Only the problem's own code
    runs here, in a child of its own, never in a submission's process."""
    sys.stdout = sys.stderr = _Discard()
    try:
        gen_ns: dict = {"__name__": "generator"}
        try:
            exec(compile(job["generator"], "<random-generator>", "exec"), gen_ns)
            generate = gen_ns["generate"]
        except BaseException as exc:  # noqa: BLE001 - the problem's generator is broken: say how
            emit(event="generator_error", i=-1, detail="".join(traceback.format_exception_only(exc)).strip()[-500:])
            return
        loaded = load(job["source"], job["function"], emit, [])
        if loaded is None:
            return
        fn, _ = loaded
        params = job["params"]
        for i, seed in enumerate(job["seeds"]):
            try:
                made = generate(np.random.default_rng(seed), 1 + i % 8)
                args, kwargs = plain(list(made.get("args", []))), plain(dict(made.get("kwargs", {})))
            except BaseException as exc:  # noqa: BLE001
                why = "".join(traceback.format_exception_only(exc)).strip()[-500:]
                emit(event="generator_error", i=i, detail=why)
                continue
            emit(event="case", i=i, args=args, kwargs=kwargs)
            try:
                call_args, call_kwargs = _call_args({"args": args, "kwargs": kwargs}, params)
            except BaseException as exc:  # noqa: BLE001
                emit(event="generator_error", i=i, detail=f"arguments of the wrong type ({type(exc).__name__}: {exc})")
                continue
            try:
                value = encode(fn(*call_args, **call_kwargs))
            except BaseException as exc:  # noqa: BLE001
                emit(event="ref", i=i, status="error", type=type(exc).__name__, message=str(exc)[:300])
                continue
            emit(event="ref", i=i, status="ok", value=value)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        emit(event="done")
