"""ML coding pages (/code/...) and their JSON twins (/api/code/...).

The problem list is a GET form (bookmarkable filters).  The problem page's editor posts a normal
form (CSRF) to /code/{id}/run or /code/{id}/submit, which re-renders the page with the verdict and
the code kept; with JavaScript, ``code.js`` calls the JSON API instead and renders the verdict in
place.  Judge calls block, so the routes that run code are sync (thread pool) or hand the call to
the thread pool.
"""

from __future__ import annotations

import json
import math
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from loopprep.domain import whole_number_text
from loopprep.errors import InvalidInput
from loopprep.services import code as svc
from loopprep.services.judge import MAX_SOURCE_BYTES
from loopprep.web.deps import CSRF_FIELD, csrf_ok, ctx, judge, judge_if_started, now, render, whole_number
from loopprep.web.routes.api import ERRORS, WRITE_ERRORS, ErrorBody, require_json

router = APIRouter()

MAX_ELAPSED_S = 7 * 24 * 3600
# Path first, then the validator: in this order FastAPI keeps both the bounds and the check.
AttemptId = Annotated[
    int,
    Path(ge=1, le=2**31 - 1, description="An attempt's id (see /api/code/attempts)."),
    BeforeValidator(whole_number_text),
]
VERDICT_TONE = {
    "accepted": "good",
    "wrong-answer": "bad",
    "runtime-error": "bad",
    "compile-error": "bad",
    "time-limit": "warn",
    "memory-limit": "warn",
    "too-slow": "warn",
    "forbidden-call": "bad",
    "judge-error": "warn",
}
STATUS_LABEL = {"solved": "Solved", "attempted": "Attempted", "new": "New"}
CASE_LABEL = {
    "passed": "passed",
    "wrong": "wrong",
    "error": "error",
    "timeout": "too slow",
    "memory": "memory",
    "forbidden": "forbidden",
    "not-run": "not run",
}
RUN_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    503: {"model": ErrorBody, "description": "The judge is busy or could not start: try again"},
}


# ---- helpers for the templates --------------------------------------------------------------------


def show_value(value: Any, limit: int = 400) -> str:
    """A test value as compact JSON-like text (NaN and infinities spelled as Python does)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return f"§{v}§"
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        return v

    text = json.dumps(clean(value), separators=(", ", ": "), ensure_ascii=False)
    text = text.replace('"§', "").replace('§"', "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_call(args: list[Any] | None, kwargs: dict[str, Any] | None) -> str:
    parts = [show_value(a, 300) for a in args or []]
    parts += [f"{k}={show_value(v, 300)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def show_bytes(n: int | None) -> str:
    if n is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def protection_note(p: svc.Protections) -> dict[str, Any]:
    """What the page says about the sandbox: started or not, and which layers are off."""
    if not p.started:
        text = "The judge starts on your first run, in its own sandboxed process."
        if p.off:
            text += f" Turned off in your settings: {', '.join(p.off)}; code will run with less isolation."
        return {"tone": "warn" if p.off else "info", "text": text, "layers": []}
    on = [k.replace("_", " ") for k, v in p.layers.items() if v.get("on")]
    if p.off:
        text = (
            f"Protections off on this machine: {', '.join(k.replace('_', ' ') for k in p.off)}. "
            "Submitted code runs with less isolation "
            f"than loopprep aims for (still on: {', '.join(on) or 'none'})."
        )
        tone = "warn"
    else:
        text = f"Every submission runs in a sandbox: {', '.join(on)}."
        tone = "info"
    layers = [
        {"name": k.replace("_", " "), "on": bool(v.get("on")), "how": v.get("how", "")} for k, v in p.layers.items()
    ]
    return {"tone": tone, "text": text, "layers": layers}


def _helpers() -> dict[str, Any]:
    return {
        "show_value": show_value,
        "show_call": show_call,
        "minutes": minutes,
        "show_bytes": show_bytes,
        "tone": VERDICT_TONE,
        "status_label": STATUS_LABEL,
        "case_label": CASE_LABEL,
    }


# ---- the problem list -----------------------------------------------------------------------------


@router.get("/code", include_in_schema=False)
def code_list(request: Request, topic: str = "", difficulty: str = "", status: str = "") -> Any:
    app_ctx = ctx(request)
    values = {"topic": topic, "difficulty": difficulty, "status": status}
    errors: dict[str, str] = {}
    try:
        view = svc.list_problems(app_ctx, topic=topic or None, difficulty=difficulty or None, status=status or None)
    except InvalidInput as exc:
        errors = {**exc.fields, "form": f"{exc.message} {exc.hint}".strip()}
        view = svc.list_problems(app_ctx)
    prot = protection_note(svc.protections(judge_if_started(request), app_ctx))
    return render(
        request,
        "code/index.html",
        status_code=422 if errors else 200,
        title="ML coding",
        view=view,
        values=values,
        errors=errors,
        filtered=any(values.values()) and not errors,
        protection=prot,
        **_helpers(),
    )


# ---- the problem page -----------------------------------------------------------------------------


def _opened_at(raw: str | None) -> float:
    """When the page was first opened (epoch seconds, sent back by the no-JS form): a value from
    the future, from over a week ago, or not a number restarts the clock now."""
    t = time.time()
    try:
        v = float(raw or "")
    except ValueError:
        return t
    return v if math.isfinite(v) and t - MAX_ELAPSED_S < v <= t + 5 else t


def _problem_page(
    request: Request,
    problem_id: str,
    *,
    code: str | None = None,
    result: svc.AttemptResult | None = None,
    perf: svc.PerfView | None = None,
    errors: dict[str, str] | None = None,
    opened_at: float | None = None,
    status_code: int = 200,
) -> Any:
    app_ctx = ctx(request)
    view = svc.show_problem(app_ctx, problem_id)
    prot = protection_note(svc.protections(judge_if_started(request), app_ctx))
    editor = view.code if code is None else code
    # say so when the editor holds the draft, so the user knows it was never graded
    draft_note = svc.describe_draft(view.draft) if view.draft is not None and editor == view.draft.code else None
    return render(
        request,
        "code/problem.html",
        status_code=status_code,
        form=True,
        title=view.title,
        view=view,
        code=editor,
        draft_note=draft_note,
        result=result,
        perf=perf,
        errors=errors or {},
        opened_at=f"{opened_at or time.time():.0f}",
        protection=prot,
        **_helpers(),
    )


@router.get("/code/{problem_id}", include_in_schema=False)
def code_problem(request: Request, problem_id: str) -> Any:
    return _problem_page(request, problem_id)


_EXPIRED = "This form expired or came from another site. Your code is below, unchanged: press the button again."


async def _form_run(request: Request, problem_id: str, mode: Literal["run", "submit"]) -> Any:
    svc.get_problem(ctx(request), problem_id)  # unknown problem: the 404 page
    form = await request.form()
    code = str(form.get("code", ""))
    opened = _opened_at(str(form.get("opened_at", "")))
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return _problem_page(
            request, problem_id, code=code, opened_at=opened, errors={"form": _EXPIRED}, status_code=403
        )
    elapsed = min(max(time.time() - opened, 0.0), MAX_ELAPSED_S)

    def go() -> svc.AttemptResult:
        fn = svc.run_code if mode == "run" else svc.submit_code
        return fn(ctx(request), judge(request), problem_id, code, elapsed_s=elapsed, now=now())

    try:
        result = await run_in_threadpool(go)
    except InvalidInput as exc:
        errors = {**exc.fields, "form": exc.message}
        if "code" in errors:
            errors["code"] = f"{exc.message} {exc.hint}".strip()
        return _problem_page(request, problem_id, code=code, opened_at=opened, errors=errors, status_code=422)
    except svc.JudgeUnavailable as exc:  # busy or failed: no verdict, the code stays in the editor
        errors = {"form": f"{exc.message} {exc.hint}".strip()}
        return _problem_page(request, problem_id, code=code, opened_at=opened, errors=errors, status_code=503)
    return _problem_page(request, problem_id, code=code, opened_at=opened, result=result)


@router.post("/code/{problem_id}/run", include_in_schema=False)
async def code_run_form(request: Request, problem_id: str) -> Any:
    return await _form_run(request, problem_id, "run")


@router.post("/code/{problem_id}/submit", include_in_schema=False)
async def code_submit_form(request: Request, problem_id: str) -> Any:
    return await _form_run(request, problem_id, "submit")


@router.post("/code/{problem_id}/perf", include_in_schema=False)
async def code_perf_form(request: Request, problem_id: str) -> Any:
    """The no-JavaScript way to measure an accepted attempt's speed and memory."""
    svc.get_problem(ctx(request), problem_id)
    form = await request.form()
    opened = _opened_at(str(form.get("opened_at", "")))
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return _problem_page(request, problem_id, opened_at=opened, errors={"form": _EXPIRED}, status_code=403)
    raw = str(form.get("attempt_id", ""))
    attempt_id = whole_number(raw, field="attempt_id", what="an attempt number", hint="Reload the page and try again.")
    attempt = svc.get_attempt(ctx(request), attempt_id)
    if attempt.problem_id != problem_id:
        raise InvalidInput(f"Attempt {raw} is not an attempt at this problem.", field="attempt_id")
    perf = await run_in_threadpool(lambda: svc.measure_attempt(ctx(request), judge(request), attempt_id, now=now()))
    return _problem_page(request, problem_id, opened_at=opened, perf=perf)


# ---- JSON API (same models as `loopprep code ... --json`) ------------------------------------------


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=MAX_SOURCE_BYTES, description="The solution's source (UTF-8, at most 64 KiB).")
    elapsed_s: float | None = Field(
        None, ge=0, le=MAX_ELAPSED_S, description="Seconds on the attempt clock when you pressed run or submit."
    )


Difficulty = Literal["easy", "medium", "hard"]
StatusFilter = Literal["solved", "attempted", "new"]


@router.get("/api/code/problems", response_model=svc.ProblemList, responses=ERRORS, tags=["api"])
def api_problems(
    request: Request,
    topic: str | None = Query(None, max_length=80),
    difficulty: Difficulty | None = None,
    status: StatusFilter | None = None,
) -> svc.ProblemList:
    """The coding problems with your status on each; filters as in ``loopprep code list``.
    An unknown topic is a 422 that lists the known ones."""
    return svc.list_problems(ctx(request), topic=topic or None, difficulty=difficulty, status=status)


@router.get("/api/code/problems/{problem_id}", response_model=svc.ProblemView, responses=ERRORS, tags=["api"])
def api_problem(request: Request, problem_id: str) -> svc.ProblemView:
    """One problem: statement (Markdown), signature, visible examples, hidden test count, your
    history, your draft (code the judge could not grade, or null) and the code to start from
    (the draft when newer than your last attempt, else that attempt, or the starter)."""
    return svc.show_problem(ctx(request), problem_id)


@router.post(
    "/api/code/problems/{problem_id}/run",
    response_model=svc.AttemptResult,
    responses=RUN_ERRORS,
    tags=["api"],
    dependencies=[Depends(require_json)],
)
def api_run(request: Request, problem_id: str, body: CodeBody) -> svc.AttemptResult:
    """Run the visible examples in the sandbox; each case comes back with input, expected and got.
    The attempt is stored."""
    return svc.run_code(ctx(request), judge(request), problem_id, body.code, elapsed_s=body.elapsed_s, now=now())


@router.post(
    "/api/code/problems/{problem_id}/submit",
    response_model=svc.AttemptResult,
    responses=RUN_ERRORS,
    tags=["api"],
    dependencies=[Depends(require_json)],
)
def api_submit(request: Request, problem_id: str, body: CodeBody) -> svc.AttemptResult:
    """Judge every test.  A hidden test that fails names its category only; accepted marks the
    plan's task for this problem done (``plan_task``)."""
    return svc.submit_code(ctx(request), judge(request), problem_id, body.code, elapsed_s=body.elapsed_s, now=now())


@router.post(
    "/api/code/attempts/{attempt_id}/perf",
    response_model=svc.PerfView,
    responses=RUN_ERRORS,
    tags=["api"],
    dependencies=[Depends(require_json)],
)
def api_perf(request: Request, attempt_id: AttemptId) -> svc.PerfView:
    """More than correctness, measured after the verdict: time and peak memory on the larger input
    against the reference's.  Send ``Content-Type: application/json`` (the body may be empty or
    ``{}``).  An attempt that was not accepted gets ``available: false`` with a note."""
    return svc.measure_attempt(ctx(request), judge(request), attempt_id, now=now())


@router.get("/api/code/attempts", response_model=list[svc.AttemptSummary], responses=ERRORS, tags=["api"])
def api_attempts(
    request: Request,
    problem: str | None = Query(None, max_length=120, description="Only this problem's attempts."),
    limit: Annotated[int, Query(ge=1, le=500), BeforeValidator(whole_number_text)] = 50,
) -> list[svc.AttemptSummary]:
    """Your coding attempts, newest first."""
    return svc.history(ctx(request), problem or None, limit=limit)


@router.get("/api/code/attempts/{attempt_id}", response_model=svc.AttemptDetail, responses=ERRORS, tags=["api"])
def api_attempt(request: Request, attempt_id: AttemptId) -> svc.AttemptDetail:
    """One attempt with its code and per-test timings (never a hidden test's data)."""
    return svc.get_attempt(ctx(request), attempt_id)


@router.get("/api/code/protections", response_model=svc.Protections, tags=["api"])
def api_protections(request: Request) -> svc.Protections:
    """The sandbox's layers on this machine (once this worker's judge has started) and which are off."""
    return svc.protections(judge_if_started(request), ctx(request))
