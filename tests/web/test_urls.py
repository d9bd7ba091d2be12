"""One URL builder: services return ids, ``loopprep.web.urls`` makes every path, and every path it
makes is a page the app serves."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from starlette.routing import Match

from loopprep.content.loader import ContentBank
from loopprep.domain import Link, LinkKind
from loopprep.services.search import documents, hit_link
from loopprep.web import urls

PACKAGE = Path(__file__).parent.parent.parent / "loopprep"
APP_PATH = re.compile(r"""["'](/(rounds|code|plan|stats|estimate|frameworks|search|bar|companies|roles|dashboard)\b)""")


def test_no_service_module_holds_an_app_path() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{n}: {m.group(1)}"
        for path in sorted((PACKAGE / "services").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        for m in APP_PATH.finditer(line)
    ]
    assert not found, "services name ids; loopprep.web.urls makes the paths:\n" + "\n".join(found)


def test_templates_link_entities_through_the_builder() -> None:
    literal = re.compile(r'(href|action)="/[a-z/-]*\{\{')
    found = [
        str(p.relative_to(PACKAGE))
        for p in (PACKAGE / "web" / "templates").rglob("*.html")
        if literal.search(p.read_text())
    ]
    assert not found, f"these templates build an entity path by hand: {found}"


def _served(client: TestClient, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path.split("?")[0].split("#")[0], "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in client.app.router.routes)  # type: ignore[attr-defined]


def test_every_link_the_services_make_resolves_to_a_page(client: TestClient, bank: ContentBank) -> None:
    links = [hit_link(d.kind, d.ref) for d in documents(bank)]
    links += [Link(kind=LinkKind.AREA, id=a) for a in urls.AREAS]
    links += [Link(kind=LinkKind.PAGE, id=a.page) for a in bank.plan.activities if a.page]
    assert {link.kind for link in links} == set(LinkKind)
    for link in links:
        path = urls.link_url(link)
        assert path and _served(client, path), f"{link} -> {path} is no page of the app"
    # and the pages really render, one of each kind
    seen: set[LinkKind] = set()
    for link in links:
        if link.kind not in seen:
            seen.add(link.kind)
            assert client.get(str(urls.link_url(link))).status_code == 200, link


def test_plan_activity_pages_are_named_pages() -> None:
    assert urls.page_url("estimate-drill") == "/estimate/drill"
    assert set(urls.PAGES) >= {"estimate-drill"}


def test_ids_are_quoted_into_one_segment() -> None:
    assert urls.problem_url("a/b?c") == "/code/a%2Fb%3Fc"
    assert urls.estimate_calculator_url("kv", {"model": "x y"}) == "/estimate/kv?model=x+y"
    assert urls.plan_week_url(3) == "/plan?week=3"
    assert urls.bar_url("the-bar") == "/bar" and urls.bar_url("depth") == "/bar#depth"
