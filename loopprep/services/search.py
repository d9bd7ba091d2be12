"""Search across all content: build the index from the bank, query it."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel

from loopprep.content.loader import ContentBank
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
}


class SearchHitView(BaseModel):
    kind: str
    kind_title: str
    ref: str
    title: str
    url: str
    snippet_html: str


class SearchView(BaseModel):
    query: str
    hits: list[SearchHitView]


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def documents(bank: ContentBank) -> list[SearchDoc]:
    """One search document per page or page section of the knowledge base."""
    docs: list[SearchDoc] = []
    for r in bank.rounds.values():
        body = _join(
            r.tagline, r.summary, *[f"{f.title}. {f.detail}" for f in r.focus_areas], *[e.text for e in r.expectations]
        )
        docs.append(SearchDoc("round", r.id.value, f"/rounds/{r.id.value}", r.title, body))
    b = bank.bar
    docs.append(
        SearchDoc(
            "bar",
            "the-bar",
            "/bar",
            "The bar: execution versus strategy",
            _join(b.intro, *[f"{s.name}: {s.summary}" for s in b.sides]),
        )
    )
    for d in b.dimensions:
        docs.append(
            SearchDoc(
                "bar", d.id, f"/bar#{d.id}", f"The bar: {d.name}", _join(f"L4/L5: {d.execution}", f"L6+: {d.strategy}")
            )
        )
    s = b.biggest_shift
    docs.append(SearchDoc("bar", s.id, f"/bar#{s.id}", s.title, s.body))
    for c in bank.companies.values():
        body = _join(
            c.summary, ", ".join(c.examples), *[f"{e.topic}: {e.detail}" for e in c.emphases], c.differentiator
        )
        docs.append(SearchDoc("company", c.id.value, f"/companies#{c.id.value}", c.name, body))
    for p in bank.roles.values():
        body = _join(p.tagline, *[f"{rr.tier.value} {rr.round.value}: {rr.detail}" for rr in p.rounds], p.focus)
        docs.append(SearchDoc("role", p.id.value, f"/roles#{p.id.value}", p.name, body))
    for f in bank.frameworks.values():
        items = [_join(f"{i.title}. {i.detail}", i.example, i.do, i.avoid) for g in f.groups for i in g.items]
        body = _join(f.summary, f.body, CATEGORY_TITLES[f.category], *items)
        docs.append(SearchDoc("framework", f.id, f"/frameworks/{f.id}", f.title, body))
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
                url=h.url,
                snippet_html=h.snippet_html,
            )
            for h in hits
        ],
    )
