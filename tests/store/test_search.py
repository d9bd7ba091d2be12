"""Full-text search on SQLite FTS5 and PostgreSQL text search: same behaviour on both."""

from __future__ import annotations

import pytest

from loopprep.services.search import documents, ensure_index, search
from loopprep.web.urls import link_url


def test_ranked_hits_with_highlighted_snippets(ctx) -> None:  # noqa: ANN001
    view = search(ctx, "silence")
    assert view.hits, "the three-silences framework should match"
    assert link_url(view.hits[0].link) == "/frameworks/three-silences"
    assert any("<mark>" in h.snippet_html for h in view.hits)


def test_words_are_stemmed_and_all_must_match(ctx) -> None:  # noqa: ANN001
    hits = search(ctx, "experiments power").hits
    assert hits
    assert any(link_url(h.link) == "/rounds/stats-experimentation" for h in hits)
    assert search(ctx, "power zzzyqx").hits == []


def test_title_matches_rank_first(ctx) -> None:  # noqa: ANN001
    """'silence' appears in several bodies; the page titled with it ranks first."""
    hits = search(ctx, "silences").hits
    assert len(hits) >= 2
    assert link_url(hits[0].link) == "/frameworks/three-silences"


@pytest.mark.parametrize(
    "query",
    ['"', "NEAR(", "a AND OR NOT", "*", "'; DROP TABLE profile; --", "(((", "title:x", "\x00", "ü" * 300],
)
def test_hostile_queries_are_safe(ctx, query: str) -> None:  # noqa: ANN001
    view = search(ctx, query)
    assert isinstance(view.hits, list)


def test_snippets_escape_html(ctx) -> None:  # noqa: ANN001
    for h in search(ctx, "interviewer").hits:
        stripped = h.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped


def test_empty_query_gives_nothing(ctx) -> None:  # noqa: ANN001
    assert search(ctx, "   ").hits == []


def test_index_is_rebuilt_only_when_content_changes(ctx) -> None:  # noqa: ANN001
    assert ensure_index(ctx) is False
    assert len(documents(ctx.bank)) > 20


def test_finds_a_coding_problem_with_a_snippet(ctx) -> None:  # noqa: ANN001
    hits = search(ctx, "softmax overflow").hits
    hit = next(h for h in hits if link_url(h.link) == "/code/stable-softmax")
    assert hit.kind == "problem" and hit.kind_title == "Coding problem" and hit.ref == "stable-softmax"
    assert "<mark>" in hit.snippet_html
    # the title ranks a problem first when it is what the words name
    assert link_url(search(ctx, "stable softmax").hits[0].link) == "/code/stable-softmax"


def test_finds_a_stats_case(ctx) -> None:  # noqa: ANN001
    hits = search(ctx, "session length ranking").hits
    case = next(h for h in hits if h.kind == "stats-case")
    assert link_url(case.link) == "/stats/cases/ranking-ctr-vs-session-length" and case.kind_title == "Stats case"


def test_finds_the_calculator_pages(ctx) -> None:  # noqa: ANN001
    stats = [h for h in search(ctx, "sample ratio mismatch").hits if h.kind == "calculator"]
    assert stats and link_url(stats[0].link) == "/stats/srm" and stats[0].ref == "stats-srm"
    kv = [h for h in search(ctx, "kv cache").hits if h.kind == "calculator"]
    assert any(link_url(h.link).startswith("/estimate/") and h.ref.startswith("estimate-") for h in kv)


def test_the_index_covers_every_kind(ctx) -> None:  # noqa: ANN001
    kinds = {d.kind for d in documents(ctx.bank)}
    assert {"round", "framework", "problem", "stats-case", "calculator"} <= kinds
    assert sum(d.kind == "problem" for d in documents(ctx.bank)) == len(ctx.bank.coding.problems)
