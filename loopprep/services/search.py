"""Search across all content: build the index from the bank (the knowledge base, coding
problems, stats cases and the calculator pages), query it."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel

from loopprep.content.loader import ContentBank
from loopprep.domain import Link, LinkKind
from loopprep.services.context import AppContext
from loopprep.services.knowledge import CATEGORY_TITLES
from loopprep.store import search as store_search
from loopprep.store.search import SearchDoc

KIND_TITLES = {
    "round": "Round",
    "bar": "The bar",
    "company": "Company type",
    "role": "Role",
    "framework": "Framework",
    "problem": "Coding problem",
    "stats-case": "Stats case",
    "calculator": "Calculator",
}


class SearchHitView(BaseModel):
    kind: str
    kind_title: str
    ref: str
    title: str
    link: Link
    snippet_html: str


class SearchView(BaseModel):
    query: str
    hits: list[SearchHitView]


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def documents(bank: ContentBank) -> list[SearchDoc]:
    """One search document per page or page section: the knowledge base, every coding problem,
    every stats case and every calculator page of the stats lab and the estimation kit."""
    docs: list[SearchDoc] = []
    for r in bank.rounds.values():
        body = _join(
            r.tagline, r.summary, *[f"{f.title}. {f.detail}" for f in r.focus_areas], *[e.text for e in r.expectations]
        )
        docs.append(SearchDoc("round", r.id.value, r.title, body))
    b = bank.bar
    docs.append(
        SearchDoc(
            "bar",
            "the-bar",
            "The bar: execution versus strategy",
            _join(b.intro, *[f"{s.name}: {s.summary}" for s in b.sides]),
        )
    )
    for d in b.dimensions:
        docs.append(SearchDoc("bar", d.id, f"The bar: {d.name}", _join(f"L4/L5: {d.execution}", f"L6+: {d.strategy}")))
    s = b.biggest_shift
    docs.append(SearchDoc("bar", s.id, s.title, s.body))
    for c in bank.companies.values():
        body = _join(
            c.summary, ", ".join(c.examples), *[f"{e.topic}: {e.detail}" for e in c.emphases], c.differentiator
        )
        docs.append(SearchDoc("company", c.id.value, c.name, body))
    for p in bank.roles.values():
        body = _join(p.tagline, *[f"{rr.tier.value} {rr.round.value}: {rr.detail}" for rr in p.rounds], p.focus)
        docs.append(SearchDoc("role", p.id.value, p.name, body))
    for f in bank.frameworks.values():
        items = [_join(f"{i.title}. {i.detail}", i.example, i.do, i.avoid) for g in f.groups for i in g.items]
        body = _join(f.summary, f.body, CATEGORY_TITLES[f.category], *items)
        docs.append(SearchDoc("framework", f.id, f.title, body))
    for pid, pr in bank.coding.problems.items():
        body = _join(pr.statement, f"{pr.difficulty} problem", ", ".join(pr.topics), pr.signature)
        docs.append(SearchDoc("problem", pid, pr.title, body))
    for case in bank.stats_cases.cases.values():
        body = _join(case.prompt, *case.asks, "Pitfalls: " + ", ".join(case.pitfalls))
        docs.append(SearchDoc("stats-case", case.id, case.title, body))
    return docs + _calculator_documents()


def _calculator_documents() -> list[SearchDoc]:
    """The stats lab's and the estimation kit's calculator pages, by title and description; the
    ref is the calculator's id (``stats-<name>``, ``estimate-<id>``)."""
    from loopprep.services.estimate import CALCULATORS as ESTIMATE_CALCULATORS
    from loopprep.services.stats import CALCULATOR_PAGES

    docs = [
        SearchDoc("calculator", f"stats-{name}", f"Stats lab: {title}", intro)
        for name, (title, intro) in CALCULATOR_PAGES.items()
    ]
    docs += [
        SearchDoc("calculator", f"estimate-{c.id}", f"Estimation kit: {c.title}", c.blurb)
        for c in ESTIMATE_CALCULATORS.values()
    ]
    return docs


def _digest(docs: list[SearchDoc]) -> str:
    payload = json.dumps([d.__dict__ for d in docs], sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()


def ensure_index(ctx: AppContext) -> bool:
    """Rebuild the search index if the content changed since it was built; True if rebuilt."""
    docs = documents(ctx.bank)
    digest = _digest(docs)
    with ctx.engine.connect() as conn:
        if store_search.indexed_digest(conn) == digest:
            return False
    with ctx.engine.begin() as conn:
        store_search.replace_index(conn, docs, digest)
    return True


_HIT_KINDS = {
    "round": LinkKind.ROUND,
    "bar": LinkKind.BAR,
    "company": LinkKind.COMPANY,
    "role": LinkKind.ROLE,
    "framework": LinkKind.FRAMEWORK,
    "problem": LinkKind.PROBLEM,
    "stats-case": LinkKind.STATS_CASE,
}


def hit_link(kind: str, ref: str) -> Link:
    """Where a hit leads: its kind and ref name the page (a calculator's ref carries its kit)."""
    if kind == "calculator":
        kit, _, name = ref.partition("-")
        return Link(kind=LinkKind.STATS_CALCULATOR if kit == "stats" else LinkKind.ESTIMATE_CALCULATOR, id=name)
    return Link(kind=_HIT_KINDS[kind], id=ref)


def search(ctx: AppContext, query: str, *, limit: int = 20) -> SearchView:
    """Ranked hits for ``query`` with highlighted snippets; an empty query gives no hits."""
    query = query.strip()[:200]
    with ctx.engine.connect() as conn:
        hits = store_search.search(conn, query, limit=limit)
    return SearchView(
        query=query,
        hits=[
            SearchHitView(
                kind=h.kind,
                kind_title=KIND_TITLES.get(h.kind, h.kind.title()),
                ref=h.ref,
                title=h.title,
                link=hit_link(h.kind, h.ref),
                snippet_html=h.snippet_html,
            )
            for h in hits
        ],
    )
