"""Stats lab pages (/stats/...) and their JSON twins (/api/stats/...).

Calculator pages are GET forms: the answer is a pure function of the query string, so a result
can be bookmarked and no CSRF token is needed.  The analyser upload and case attempts are POST
forms with the CSRF check."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from loopprep.errors import InvalidInput, NotFound
from loopprep.services.stats import StatsAnswer, calculate
from loopprep.services.stats import calculator_page as page_fields
from loopprep.web.deps import CSRF_FIELD, csrf_ok, ctx, is_whole_number, now, render
from loopprep.web.routes.stats_api import router as calculators_router

router = APIRouter()


class Calculator(StrEnum):
    SAMPLE_SIZE = "sample-size"
    POWER = "power"
    MDE = "mde"
    CI = "ci"
    SRM = "srm"
    ADJUST = "adjust"
    CUPED = "cuped"
    DID = "did"
    PEEKING = "peeking"


def _f(name: str, label: str, default: str = "", help: str = "", **kw: Any) -> dict[str, Any]:  # noqa: A002
    return {"name": name, "label": label, "default": default, "help": help, "type": "number"} | kw


def _sel(name: str, label: str, options: list[tuple[str, str]], default: str, help: str = "") -> dict[str, Any]:  # noqa: A002
    return {"name": name, "label": label, "default": default, "help": help, "type": "select", "options": options}


METRIC = _sel(
    "metric", "Metric", [("proportion", "Proportion (conversion rate)"), ("mean", "Mean (e.g. revenue)")], "proportion"
)
PMETHOD = _sel(
    "method",
    "Method (proportions)",
    [
        ("pooled", "Pooled normal (R power.prop.test)"),
        ("arcsine", "Arcsine / Cohen's h (G*Power)"),
        ("baseline", "Baseline variance (Evan Miller)"),
    ],
    "pooled",
)
SIDED = _sel("sided", "Test", [("2", "Two-sided"), ("1", "One-sided")], "2")
COMMON = [
    _f("alpha", "Significance level α", "0.05", "Between 0 and 1.", step="any"),
    _f("ratio", "Allocation (treatment / control)", "1", "1 = equal arms.", step="any"),
]
MEANS = [
    _f("effect", "Difference in means", "", group="means", step="any"),
    _f("sd", "Standard deviation", "", group="means", step="any"),
    _f("d", "…or Cohen's d", "", "Instead of the difference and sd.", group="means", step="any"),
    {
        "name": "one_sample",
        "label": "One-sample / paired test",
        "type": "checkbox",
        "default": "",
        "help": "",
        "group": "means",
    },
]
GROUPS = {"proportions": "Proportions (metric = proportion)", "means": "Means (metric = mean)"}


def _prop(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f | {"group": "proportions"} for f in fields]


PAGES: dict[str, dict[str, Any]] = {
    "sample-size": {
        **page_fields("sample-size"),
        "fields": [
            METRIC,
            *_prop(
                [
                    _f("baseline", "Baseline rate", "0.2", "Control conversion, 0–1.", step="any"),
                    _f("target", "Target rate", "0.25", "Treatment rate to detect, 0–1 (0 and 1 allowed).", step="any"),
                    _f("relative", "…or relative lift", "", "0.1 = +10 %; instead of the target.", step="any"),
                    PMETHOD,
                ]
            ),
            *MEANS,
            _f("power", "Power", "0.8", "Between α and 1.", step="any"),
            *COMMON,
            SIDED,
        ],
    },
    "power": {
        **page_fields("power"),
        "fields": [
            METRIC,
            _f("n", "Users in the control arm", "1000", "At least 2.", step="any"),
            *_prop(
                [
                    _f("baseline", "Baseline rate", "0.2", "Control conversion, 0–1.", step="any"),
                    _f("target", "Target rate", "0.25", "0–1.", step="any"),
                    _f("relative", "…or relative lift", "", "0.1 = +10 %.", step="any"),
                    PMETHOD,
                ]
            ),
            *MEANS,
            *COMMON,
            SIDED,
        ],
    },
    "mde": {
        **page_fields("mde"),
        "fields": [
            METRIC,
            _f("n", "Users in the control arm", "10000", "At least 2.", step="any"),
            *_prop([_f("baseline", "Baseline rate", "0.1", "Control conversion, 0–1.", step="any"), PMETHOD]),
            _f("sd", "Standard deviation", "", "To express the MDE in metric units.", group="means", step="any"),
            MEANS[3],
            _f("power", "Power", "0.8", "Between α and 1.", step="any"),
            *COMMON,
            SIDED,
        ],
    },
    "ci": {
        **page_fields("ci"),
        "fields": [
            _sel(
                "kind",
                "Interval",
                [
                    ("diff-proportions", "Difference of proportions"),
                    ("welch", "Difference of means (Welch)"),
                    ("binomial", "One proportion (exact binomial)"),
                    ("ratio", "Ratio of means (delta method)"),
                ],
                "diff-proportions",
            ),
            _sel(
                "method",
                "Method (proportions)",
                [("newcombe", "Newcombe hybrid score"), ("wald", "Wald"), ("mn", "Miettinen–Nurminen")],
                "newcombe",
            ),
            _f("x1", "Successes, arm 1 (treatment)", "56", step="1"),
            _f("n1", "Size, arm 1", "70", step="1"),
            _f("x2", "Successes, arm 2 (control)", "48", step="1"),
            _f("n2", "Size, arm 2", "80", step="1"),
            _f("x", "Successes (one proportion)", "", step="1"),
            _f("n", "Trials (one proportion)", "", step="1"),
            _f("p0", "Hypothesised rate p0", "0.5", step="any"),
            _f("mean1", "Mean, arm 1", "", "Welch / ratio.", step="any"),
            _f("sd1", "SD, arm 1", "", step="any"),
            _f("mean2", "Mean, arm 2", "", step="any"),
            _f("sd2", "SD, arm 2", "", step="any"),
            _f("confidence", "Confidence level", "0.95", step="any"),
        ],
    },
    "srm": {
        **page_fields("srm"),
        "fields": [
            _f("counts", "Units per arm", "50000,51000", "Comma-separated.", type="text"),
            _f("split", "Planned split", "50,50", "Comma-separated shares or weights.", type="text"),
            _f("threshold", "Threshold", "0.001", "Flag SRM when p is below this.", step="any"),
        ],
    },
    "adjust": {
        **page_fields("adjust"),
        "fields": [
            _f("pvalues", "p-values", "0.01,0.04,0.03,0.005", "Comma-separated.", type="text"),
            _f("alpha", "α (FWER or FDR)", "0.05", step="any"),
            _sel(
                "method",
                "Method",
                [
                    ("holm", "Holm"),
                    ("bonferroni", "Bonferroni"),
                    ("bh", "Benjamini–Hochberg"),
                    ("by", "Benjamini–Yekutieli"),
                ],
                "holm",
            ),
        ],
    },
    "cuped": {
        **page_fields("cuped"),
        "fields": [
            _f("rho", "Correlation ρ with the pre-period metric", "0.5", "Between −1 and 1.", step="any"),
            _f("n", "Users per arm without CUPED", "10000", "Optional.", step="any"),
        ],
    },
    "did": {
        **page_fields("did"),
        "fields": [
            _f("treat_pre", "Treated, before", "20.44", step="any"),
            _f("treat_post", "Treated, after", "21.03", step="any"),
            _f("control_pre", "Control, before", "23.33", step="any"),
            _f("control_post", "Control, after", "21.17", step="any"),
            _f("se_treat_pre", "SE treated before", "", "Optional: all four or none.", step="any"),
            _f("se_treat_post", "SE treated after", "", step="any"),
            _f("se_control_pre", "SE control before", "", step="any"),
            _f("se_control_post", "SE control after", "", step="any"),
        ],
    },
    "peeking": {
        **page_fields("peeking"),
        "fields": [
            _f("baseline", "Conversion rate", "0.1", step="any"),
            _f("users_per_day", "Users per arm per day", "1000", step="1"),
            _f("days", "Days", "14", step="1"),
            _f("alpha", "α", "0.05", step="any"),
            _f("simulations", "Simulated tests", "2000", "100–20,000.", step="1"),
            _f("seed", "Random seed", "7", step="1"),
        ],
    },
}


@router.get("/stats", include_in_schema=False)
def stats_home(request: Request) -> Any:
    return render(request, "stats/index.html", title="Stats lab", pages=PAGES)


def _format(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    return "—" if v is None else str(v)


MAX_UPLOAD = 200 * 1024 * 1024  # the CLI streams bigger files


def forest_svg(rows: list[tuple[str, float, float, float]]) -> Markup:
    """An inline SVG forest plot: one row per (label, effect, lower, upper), a dashed zero line."""
    if not rows:
        return Markup("")
    lo = min(min(r[2] for r in rows), 0.0)
    hi = max(max(r[3] for r in rows), 0.0)
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad
    left, width, row_h = 230, 460, 28
    height = row_h * len(rows) + 40

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * width

    parts = [
        f'<svg class="stats-chart" viewBox="0 0 {left + width + 20} {height}" role="img" '
        f'aria-label="Effects with {len(rows)} confidence intervals">',
        f'<line class="zero" x1="{x(0):.1f}" y1="6" x2="{x(0):.1f}" y2="{height - 26}"/>',
        f'<line class="axis" x1="{left}" y1="{height - 24}" x2="{left + width}" y2="{height - 24}"/>',
        f'<text x="{left}" y="{height - 8}">{lo:+.3g}</text>',
        f'<text x="{x(0) - 4:.1f}" y="{height - 8}">0</text>',
        f'<text x="{left + width - 40}" y="{height - 8}">{hi:+.3g}</text>',
    ]
    for i, (label, eff, a, b) in enumerate(rows):
        y = 20 + i * row_h
        cls = "ci neg" if b < 0 else "ci"
        parts.append(f'<text x="4" y="{y + 4}">{escape(label)}</text>')
        parts.append(
            f'<line class="{cls}" x1="{x(a):.1f}" y1="{y}" x2="{x(b):.1f}" y2="{y}">'
            f"<title>{escape(label)}: {eff:+.4g} [{a:+.4g}, {b:+.4g}]</title></line>"
        )
        parts.append(f'<circle class="pt" cx="{x(eff):.1f}" cy="{y}" r="4"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped above


def _charts(report: Any) -> list[tuple[str, Markup]]:
    charts = []
    for metric in dict.fromkeys(e.metric for e in report.effects):
        rows = [(f"{e.variant} (all)", e.effect, e.lower, e.upper) for e in report.effects if e.metric == metric]
        rows += [
            (f"{e.variant} CUPED", e.cuped_effect, e.cuped_lower, e.cuped_upper)
            for e in report.effects
            if e.metric == metric and e.cuped_effect is not None
        ]
        rows += [
            (f"{e.variant} {e.segment.removeprefix('segment_')}={e.segment_value}", e.effect, e.lower, e.upper)
            for e in report.segment_effects
            if e.metric == metric and e.segment
        ]
        charts.append((metric, forest_svg(rows)))
    return charts


ANALYSE_DEFAULTS = {
    "control": "control",
    "variant_col": "variant",
    "unit_col": "",
    "split": "",
    "threshold": "0.001",
    "adjust": "holm",
}


def _analyse_page(
    request: Request, *, values: dict[str, str], errors: dict[str, str], answer: Any = None, status_code: int = 200
) -> Any:
    return render(
        request,
        "stats/analyze.html",
        status_code=status_code,
        form=True,
        title="Analyse an experiment",
        values=values,
        errors=errors,
        answer=answer,
        charts=_charts(answer.report) if answer else [],
        fmt=_format,
    )


@router.get("/stats/analyze", include_in_schema=False)
def analyse_form(request: Request) -> Any:
    return _analyse_page(request, values=dict(ANALYSE_DEFAULTS), errors={})


@router.post("/stats/analyze", include_in_schema=False)
async def analyse_upload(request: Request) -> Any:
    from loopprep.services.stats_analysis import analyse_csv

    form = await request.form()
    values = {k: str(form.get(k, d) or "") for k, d in ANALYSE_DEFAULTS.items()}
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"form": "This form expired or came from another site. Choose the file and analyse again."}
        return _analyse_page(request, values=values, errors=errors, status_code=403)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _analyse_page(request, values=values, errors={"file": "Choose a CSV file to analyse."}, status_code=422)
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _analyse_page(
            request,
            values=values,
            status_code=422,
            errors={
                "file": "The file is over 200 MB: analyse it with `loopprep stats analyze FILE`, which streams it."
            },
        )
    try:
        threshold = float(values["threshold"] or 0.001)
    except ValueError:
        return _analyse_page(
            request, values=values, errors={"threshold": "threshold must be a number, e.g. 0.001."}, status_code=422
        )
    try:
        # pandas holds the CPU for seconds on a big file: run it on a worker thread so the event
        # loop keeps answering every other request meanwhile.
        answer = await run_in_threadpool(
            analyse_csv,
            data,
            control=values["control"] or "control",
            variant_col=values["variant_col"] or "variant",
            unit_col=values["unit_col"] or None,
            split=values["split"] or None,
            threshold=threshold,
            adjust=values["adjust"] or "holm",
        )
    except InvalidInput as exc:
        return _analyse_page(request, values=values, errors=exc.fields or {"form": exc.message}, status_code=422)
    return _analyse_page(request, values=values, errors={}, answer=answer)


# ---- cases ------------------------------------------------------------------------------------


@router.get("/stats/cases", include_in_schema=False)
def cases_page(request: Request) -> Any:
    from loopprep.services.stats_cases import list_cases

    return render(request, "stats/cases.html", title="Experimentation cases", view=list_cases(ctx(request)))


def _case_page(
    request: Request,
    case_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    result: Any = None,
    status_code: int = 200,
) -> Any:
    from loopprep.services.stats_cases import get_case

    view = get_case(ctx(request), case_id)
    return render(
        request,
        "stats/case.html",
        status_code=status_code,
        form=True,
        title=view.case.title,
        view=view,
        values=values or {"answer": "", "checked": [], "numeric": {}},
        errors=errors or {},
        result=result,
        fmt=_format,
    )


@router.get("/stats/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: str) -> Any:
    return _case_page(request, case_id)


@router.post("/stats/cases/{case_id}", include_in_schema=False)
async def case_submit(request: Request, case_id: str) -> Any:
    from loopprep.services.stats_cases import submit_attempt

    form = await request.form()
    numeric = {k.removeprefix("num_"): str(v) for k, v in form.items() if k.startswith("num_")}
    raw_checked = [str(v) for v in form.getlist("checked")]
    checked = [int(v) for v in raw_checked if is_whole_number(v)]
    values: dict[str, Any] = {"answer": str(form.get("answer", "")), "checked": checked, "numeric": numeric}
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"form": "This form expired or came from another site. Check your answer and submit again."}
        return _case_page(request, case_id, values=values, errors=errors, status_code=403)
    bad = [v for v in raw_checked if not is_whole_number(v)]
    if bad:
        message = f"'{bad[0][:40]}' is not a checklist item number: tick the boxes on the page."
        return _case_page(
            request, case_id, values=values, errors={"form": message, "checked": message}, status_code=422
        )
    try:
        result = submit_attempt(
            ctx(request), case_id, answer=values["answer"], checked=checked, numeric=numeric, now=now()
        )
    except InvalidInput as exc:
        return _case_page(request, case_id, values=values, errors=exc.fields or {"form": exc.message}, status_code=422)
    return _case_page(request, case_id, values=values, result=result)


@router.get("/api/stats/cases", tags=["api"])
def cases_api(request: Request) -> Any:
    """The experimentation cases, with how many attempts you have made at each."""
    from loopprep.services.stats_cases import CaseList, list_cases

    out: CaseList = list_cases(ctx(request))
    return out


@router.get("/api/stats/cases/{case_id}", tags=["api"], responses={404: {"description": "No such case"}})
def case_api(request: Request, case_id: str) -> Any:
    """One case: prompt, checklist, numeric sub-questions, sources and your attempts."""
    from loopprep.services.stats_cases import get_case

    return get_case(ctx(request), case_id)


@router.post("/stats/did", include_in_schema=False)
async def did_panel_upload(request: Request) -> Any:
    """Diff-in-diff from an uploaded panel CSV (unit, treated, post, y), clustered SEs."""
    from loopprep.services.stats_analysis import did_from_csv

    page = PAGES["did"]
    values = {f["name"]: f["default"] for f in page["fields"]}
    form = await request.form()
    token = form.get(CSRF_FIELD)
    errors: dict[str, str] = {}
    answer = None
    upload = form.get("panel")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        errors = {"form": "This form expired or came from another site. Choose the file and upload it again."}
    elif upload is None or isinstance(upload, str) or not upload.filename:
        errors = {"panel": "Choose a panel CSV with columns unit,treated,post,y."}
    else:
        data = await upload.read(MAX_UPLOAD + 1)
        try:
            if len(data) > MAX_UPLOAD:
                raise InvalidInput("The file is over 200 MB.", field="panel")
            answer = await run_in_threadpool(did_from_csv, data)  # off the event loop, as above
        except InvalidInput as exc:
            errors = exc.fields or {"panel": exc.message}
    status = 403 if "form" in errors else (422 if errors else 200)
    return render(
        request,
        "stats/calculator.html",
        status_code=status,
        form=True,
        groups=GROUPS,
        title=page["title"],
        page=page,
        name="did",
        values=values,
        answer=answer,
        errors=errors,
        fmt=_format,
    )


@router.get("/stats/{name}", include_in_schema=False)
def calculator_page(request: Request, name: str) -> Any:
    if name not in PAGES:
        raise NotFound(f"There is no stats page '{name}'.", "Open the Stats lab for the list.")
    page = PAGES[name]
    raw = {k: v for k, v in request.query_params.items() if k != "run"}
    values = {f["name"]: f["default"] for f in page["fields"]}
    answer: StatsAnswer | None = None
    errors: dict[str, str] = {}
    status = 200
    if "run" in request.query_params:
        values = {f["name"]: raw.get(f["name"], "") for f in page["fields"]}
        if values.get("one_sample") in ("on", "true", "1"):
            raw["one_sample"] = "true"
        try:
            answer = calculate(name, {k: v for k, v in raw.items() if k in values})
        except InvalidInput as exc:
            errors = exc.fields or {"form": exc.message}
            status = 422
    return render(
        request,
        "stats/calculator.html",
        form=name == "did",
        groups=GROUPS,
        status_code=status,
        title=page["title"],
        page=page,
        name=name,
        values=values,
        answer=answer,
        errors=errors,
        fmt=_format,
    )


# One documented route per calculator (before the catch-all below): see stats_api.py.
router.include_router(calculators_router)


class _NotAnUpload(StringConvertor):
    """A path segment other than ``analyze``, whose POST route (the CSV upload) must answer a
    GET with 405 and ``Allow: POST``, not with the catch-all's 422."""

    regex = "(?!analyze$)[^/]+"


register_url_convertor("stats_other", _NotAnUpload())


@router.get("/api/stats/{name:stats_other}", include_in_schema=False)
def calculator_api(request: Request, name: Calculator) -> StatsAnswer:
    """Any other name: 422 (not one of the calculators)."""
    return calculate(name.value, dict(request.query_params))
