"""Full-text search: one interface over SQLite FTS5 and PostgreSQL text search."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from loopprep.store.tables import store_meta

_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
DIGEST_KEY = "search_digest"


@dataclass(frozen=True)
class SearchDoc:
    kind: str
    ref: str
    title: str
    body: str


@dataclass(frozen=True)
class SearchHit:
    kind: str
    ref: str
    title: str
    snippet_html: str
    rank: float


def _terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:16]


def _highlight(raw: str) -> str:
    """Escape a snippet and turn the engine's markers into <mark> tags."""
    escaped = html.escape(raw.replace("\n", " "))
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


def indexed_digest(conn: Connection) -> str | None:
    return conn.execute(
        store_meta.select().with_only_columns(store_meta.c.value).where(store_meta.c.key == DIGEST_KEY)
    ).scalar()


def replace_index(conn: Connection, docs: Iterable[SearchDoc], digest: str) -> int:
    """Replace every indexed document (inside the caller's transaction) and record ``digest``."""
    rows = [d.__dict__ for d in docs]
    conn.execute(text("DELETE FROM search_index"))
    if rows:
        conn.execute(
            text("INSERT INTO search_index (kind, ref, title, body) VALUES (:kind, :ref, :title, :body)"),
            rows,
        )
    conn.execute(store_meta.delete().where(store_meta.c.key == DIGEST_KEY))
    conn.execute(store_meta.insert().values(key=DIGEST_KEY, value=digest))
    return len(rows)


def search(conn: Connection, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Documents matching every word of ``query`` (stemmed), best first, with a highlighted
    snippet.  Punctuation and operators in ``query`` are ignored, so any input is safe."""
    terms = _terms(query)
    if not terms:
        return []
    if conn.dialect.name == "sqlite":
        match = " ".join(f'"{t}"' for t in terms)
        rows = conn.execute(
            text(
                "SELECT kind, ref, title,"
                f" snippet(search_index, 3, '{_START}', '{_STOP}', '…', 16) AS snip,"
                " bm25(search_index, 0, 0, 8.0, 1.0) AS score"
                " FROM search_index WHERE search_index MATCH :m ORDER BY score LIMIT :n"
            ),
            {"m": match, "n": limit},
        ).all()
        return [SearchHit(r.kind, r.ref, r.title, _highlight(r.snip), -float(r.score)) for r in rows]
    rows = conn.execute(
        text(
            "WITH q AS (SELECT plainto_tsquery('english', :q) AS q)"
            " SELECT kind, ref, title,"
            " ts_headline('english', body, q.q,"
            f"  'StartSel={_START}, StopSel={_STOP}, MaxWords=28, MinWords=12, MaxFragments=1') AS snip,"
            " ts_rank_cd(tsv, q.q) AS score"
            " FROM search_index, q WHERE tsv @@ q.q ORDER BY score DESC, title LIMIT :n"
        ),
        {"q": " ".join(terms), "n": limit},
    ).all()
    return [SearchHit(r.kind, r.ref, r.title, _highlight(r.snip), float(r.score)) for r in rows]
