"""Performance beside the verdict: the reference solution's figure and an attempt measured against it."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, insert, select, update

from loopprep.engines.judge.grade import Verdict
from loopprep.engines.judge.problem import Problem
from loopprep.judge.client import Judge
from loopprep.judge.runner import PerfFigure, measure_perf
from loopprep.services.code.bank import SLOW_RATIO, get_problem
from loopprep.services.code.reading import get_attempt
from loopprep.services.code.views import PerfView
from loopprep.services.context import AppContext
from loopprep.store.tables import code_attempt, code_reference_perf


def _digest(p: Problem) -> str:
    perf = p.perf.model_dump_json() if p.perf else ""
    return hashlib.sha256((p.reference + "\0" + perf).encode()).hexdigest()


def reference_figure(
    ctx: AppContext, j: Judge, p: Problem, *, now: dt.datetime, refresh: bool = False
) -> PerfFigure | str:
    """The reference's figures on the larger input: cached in the database, measured when missing."""
    digest = _digest(p)
    if not refresh:
        with ctx.engine.connect() as conn:
            row = conn.execute(select(code_reference_perf).where(code_reference_perf.c.problem_id == p.id)).first()
        if row is not None and row.digest == digest:
            return PerfFigure(row.ms, row.peak_bytes, [])
    fig = measure_perf(j, p, p.reference)
    if isinstance(fig, PerfFigure):
        _store_reference(ctx, p, fig, now)
    return fig


def _store_reference(ctx: AppContext, p: Problem, fig: PerfFigure, now: dt.datetime) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(delete(code_reference_perf).where(code_reference_perf.c.problem_id == p.id))
        conn.execute(
            insert(code_reference_perf).values(
                problem_id=p.id, digest=_digest(p), ms=fig.ms, peak_bytes=fig.peak_bytes or 0, measured_at=now
            )
        )


def measure_attempt(ctx: AppContext, j: Judge, attempt_id: int, *, now: dt.datetime) -> PerfView:
    """After the verdict: the solution's time and peak memory on the larger input against the
    reference's, stored with the attempt."""
    detail = get_attempt(ctx, attempt_id)
    if detail.perf:
        return PerfView(attempt_id=attempt_id, **detail.perf)
    p = get_problem(ctx, detail.problem_id)
    if detail.verdict != Verdict.ACCEPTED.value:
        return PerfView(attempt_id=attempt_id, available=False, note="Speed and memory are measured on accepted code.")
    if p.perf is None:
        return PerfView(attempt_id=attempt_id, available=False, note="This problem has no larger input to time.")
    # measured now, beside the solution: a cached figure from a quieter moment made the flag flip
    ref = reference_figure(ctx, j, p, now=now, refresh=True)
    mine = measure_perf(j, p, detail.code)
    if not isinstance(ref, PerfFigure):
        view = PerfView(attempt_id=attempt_id, available=False, note=f"The reference could not be measured: {ref}.")
    elif not isinstance(mine, PerfFigure):
        slow = p.vectorised and "out of time" in mine
        note = f"Your solution {mine}."
        if slow:
            note += (
                f" The reference takes {ref.ms:.0f} ms there: the statement asks for vectorised numpy; "
                "look for Python loops over elements."
            )
        view = PerfView(attempt_id=attempt_id, available=False, note=note, reference_ms=round(ref.ms, 3), slow=slow)
    else:
        ratio = mine.ms / ref.ms if ref.ms > 0 else None
        mem_ratio = mine.peak_bytes / ref.peak_bytes if mine.peak_bytes and ref.peak_bytes else None
        slow = bool(p.vectorised and ratio is not None and ratio >= SLOW_RATIO)
        note = ""
        if slow:
            note = (
                f"{ratio:.0f}x slower than the reference: the statement asks for vectorised numpy; "
                "look for Python loops over elements."
            )
        if mine.peak_bytes is None:
            note = (note + " " if note else "") + "Peak memory was not traced: one run took too long."
        view = PerfView(
            attempt_id=attempt_id,
            available=True,
            note=note,
            ms=round(mine.ms, 3),
            reference_ms=round(ref.ms, 3),
            ratio=None if ratio is None else round(ratio, 2),
            peak_bytes=mine.peak_bytes,
            reference_peak_bytes=ref.peak_bytes or None,
            memory_ratio=None if mem_ratio is None else round(mem_ratio, 2),
            slow=slow,
            mutated=mine.mutated,
        )
    if view.available or view.slow:
        with ctx.engine.begin() as conn:
            conn.execute(
                update(code_attempt)
                .where(code_attempt.c.id == attempt_id)
                .values(perf=view.model_dump(exclude={"attempt_id"}))
            )
    return view
