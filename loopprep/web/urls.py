"""Every link the app makes, in one place.

Services name what they link to by kind and id (:class:`loopprep.domain.Link`); routes, templates
(where each function below is a Jinja global) and the CLI turn those into paths here and nowhere
else, so a page that moves changes one function.  A test resolves every builder against the app's
routes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote, urlencode

from loopprep.domain import Link, LinkKind


def _seg(value: object) -> str:
    """One path segment: ids are slugs, but quote anyway so no id can reach outside its segment."""
    return quote(str(value), safe="")


def home_url() -> str:
    return "/"


def profile_url() -> str:
    return "/profile"


def rounds_url() -> str:
    return "/rounds"


def round_url(round_id: object) -> str:
    return f"/rounds/{_seg(round_id)}"


def bar_url(section: str | None = None) -> str:
    return "/bar" if section in (None, "", "the-bar") else f"/bar#{_seg(section)}"


def companies_url(company: object | None = None) -> str:
    return "/companies" if company is None else f"/companies#{_seg(company)}"


def roles_url(role: object | None = None) -> str:
    return "/roles" if role is None else f"/roles#{_seg(role)}"


def frameworks_url() -> str:
    return "/frameworks"


def framework_url(framework_id: str) -> str:
    return f"/frameworks/{_seg(framework_id)}"


def code_url() -> str:
    return "/code"


def problem_url(problem_id: str) -> str:
    return f"/code/{_seg(problem_id)}"


def problem_action_url(problem_id: str, action: str) -> str:
    """A coding problem's form targets: ``run``, ``submit`` or ``perf``."""
    if action not in ("run", "submit", "perf"):
        raise ValueError(f"no problem action {action!r}")
    return f"{problem_url(problem_id)}/{action}"


def stats_url() -> str:
    return "/stats"


def calculator_url(name: str) -> str:
    """A stats lab calculator's page (``sample-size``, ``power``, ...)."""
    return f"/stats/{_seg(name)}"


def cases_url() -> str:
    return "/stats/cases"


def case_url(case_id: str) -> str:
    return f"/stats/cases/{_seg(case_id)}"


def estimate_url() -> str:
    return "/estimate"


def estimate_calculator_url(calc_id: str, query: str | Mapping[str, object] | None = None) -> str:
    """An estimation kit calculator's page, optionally with its inputs as a query string."""
    path = f"/estimate/{_seg(calc_id)}"
    if not query:
        return path
    return f"{path}?{query if isinstance(query, str) else urlencode(query)}"


def plan_url() -> str:
    return "/plan"


def plan_week_url(week: int) -> str:
    """The plan page showing week ``week`` (1 is the plan's first week)."""
    return f"/plan?week={int(week)}"


def plan_task_url(key: str) -> str:
    return f"/plan/tasks/{_seg(key)}"


def search_url(query: str | None = None) -> str:
    return "/search" if not query else f"/search?{urlencode({'q': query})}"


# The top-level areas (the dashboard's tiles) and the named pages content may point at.
AREAS: dict[str, Callable[[], str]] = {
    "plan": plan_url,
    "rounds": rounds_url,
    "bar": bar_url,
    "companies": companies_url,
    "roles": roles_url,
    "frameworks": frameworks_url,
    "code": code_url,
    "estimate": estimate_url,
    "stats": stats_url,
}
PAGES: dict[str, str] = {
    "estimate-drill": "/estimate/drill",
    "estimate-check": "/estimate/check",
    "stats-cases": "/stats/cases",
    "stats-analyze": "/stats/analyze",
}


def area_url(area: str) -> str:
    return AREAS[area]()


def page_url(page: str) -> str:
    return PAGES[page]


_BY_KIND: dict[LinkKind, Callable[[str], str]] = {
    LinkKind.AREA: area_url,
    LinkKind.PAGE: page_url,
    LinkKind.ROUND: round_url,
    LinkKind.FRAMEWORK: framework_url,
    LinkKind.BAR: bar_url,
    LinkKind.COMPANY: companies_url,
    LinkKind.ROLE: roles_url,
    LinkKind.PROBLEM: problem_url,
    LinkKind.STATS_CASE: case_url,
    LinkKind.STATS_CALCULATOR: calculator_url,
    LinkKind.ESTIMATE_CALCULATOR: estimate_calculator_url,
}


def link_url(link: Link | None) -> str | None:
    """The path of a service's link target (None for no link)."""
    if link is None:
        return None
    return _BY_KIND[link.kind](link.id)


# Registered as Jinja globals by ``deps.make_templates``.
TEMPLATE_GLOBALS: dict[str, Callable[..., str | None]] = {
    f.__name__: f
    for f in (
        home_url,
        profile_url,
        rounds_url,
        round_url,
        bar_url,
        companies_url,
        roles_url,
        frameworks_url,
        framework_url,
        code_url,
        problem_url,
        problem_action_url,
        stats_url,
        calculator_url,
        cases_url,
        case_url,
        estimate_url,
        estimate_calculator_url,
        plan_url,
        plan_week_url,
        plan_task_url,
        search_url,
        area_url,
        page_url,
        link_url,
    )
}
