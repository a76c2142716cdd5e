"""Search over every stored paper: FTS candidates, the digest scorer's order, `since:`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.query import parse_query
from bot.search.fts import AllOf, AnyOf, Phrase, fts_expression, to_fts5, to_tsquery
from bot.search.service import SearchRequest, search_papers
from bot.search.since import split_since
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.factories import fetched_paper

TODAY = date(2025, 4, 28)
FILLER = "We study a problem. It matters for many systems in practice and theory."


async def store(db: Database, *papers: FetchedPaper) -> None:
    async with db.session() as session:
        await upsert_papers(session, papers)


async def found(db: Database, text: str, today: date = TODAY) -> list[str]:
    async with db.session() as session:
        result = await search_papers(session, SearchRequest.parse(text, today))
    return [hit.paper.key for hit in result.hits]


async def test_a_title_hit_outranks_an_abstract_hit(db: Database) -> None:
    in_abstract = fetched_paper(title="A study of qubits", abstract=f"{FILLER} Entanglement too.")
    in_title = fetched_paper(title="Entanglement witnesses", abstract=FILLER)
    unrelated = fetched_paper(title="Graph neural networks", abstract=FILLER)
    await store(db, in_abstract, in_title, unrelated)
    assert await found(db, "entanglement") == [in_title.key, in_abstract.key]


async def test_phrases_negations_filters_and_authors_match_exactly(db: Database) -> None:
    phrase = fetched_paper(title="Large language models for code", categories=("cs.SE",),
                           primary_category="cs.SE")  # fmt: skip
    scattered = fetched_paper(title="Language is large; models are small")
    physics = fetched_paper(title="Large language models for physics", authors=("Marie Curie",))
    await store(db, phrase, scattered, physics)
    assert set(await found(db, '"large language models"')) == {phrase.key, physics.key}
    assert await found(db, '"large language models" -physics') == [phrase.key]
    assert await found(db, '"large language models" cat:cs.SE') == [phrase.key]
    assert await found(db, "author:curie models") == [physics.key]
    assert await found(db, "cat:cs.SE") == [phrase.key]  # no words: newest papers, filtered


async def test_since_filters_by_announcement_date(db: Database) -> None:
    old = fetched_paper(title="Entanglement in 2024", announced_on=date(2024, 12, 2))
    recent = fetched_paper(title="Entanglement in April", announced_on=date(2025, 4, 20))
    await store(db, old, recent)
    assert set(await found(db, "entanglement")) == {old.key, recent.key}
    assert await found(db, "entanglement since:30d") == [recent.key]
    assert await found(db, "since:2w entanglement") == [recent.key]
    assert await found(db, "entanglement since:2025-04-21") == []
    assert set(await found(db, "entanglement since:1y")) == {old.key, recent.key}


async def test_the_index_follows_new_versions(db: Database) -> None:
    first = fetched_paper(title="Tomography of qubits", version=1)
    await store(db, first)
    assert await found(db, "tomography") == [first.key]
    second = replace(first, title="Shadows of qubits", version=2, announced_on=date(2025, 4, 29))
    await store(db, second)
    assert await found(db, "tomography") == []
    assert await found(db, "shadows") == [first.key]


async def test_at_most_ten_results_best_first(db: Database) -> None:
    papers = [fetched_paper(title=f"Entanglement {'entanglement ' * (n % 3)}note {n}")
              for n in range(15)]  # fmt: skip
    await store(db, *papers)
    async with db.session() as session:
        result = await search_papers(session, SearchRequest.parse("entanglement", TODAY))
    scores = [hit.score for hit in result.hits]
    assert len(scores) == 10 and result.matched == 15
    assert scores == sorted(scores, reverse=True)


def test_fts_expression_keeps_positive_terms_only() -> None:
    expr = fts_expression(parse_query('title:"Large-Language models" -bias cat:cs.CL').ast)
    assert expr == Phrase("title", ("large", "language", "models"))
    expr = fts_expression(parse_query("(qubit OR author:Müller) abs:noise").ast)
    assert expr == AllOf((AnyOf((Phrase("any", ("qubit",)), Phrase("author", ("muller",)))),
                          Phrase("abs", ("noise",))))  # fmt: skip
    assert to_fts5(expr) == (
        '(({title abstract} : "qubit" OR authors : "muller") AND abstract : "noise")'
    )
    assert to_tsquery(expr) == "((('qubit':AB) | ('muller':C)) & ('noise':B))"
    assert fts_expression(parse_query("qubit OR cat:quant-ph").ast) is None  # cannot narrow


@pytest.mark.parametrize(
    ("text", "rest", "since"),
    [
        ("qubits since:30d", "qubits", date(2025, 3, 29)),
        ("since:2w qubits", "qubits", date(2025, 4, 14)),
        ("qubits SINCE:1y", "qubits", date(2024, 4, 28)),
        ("qubits since:2025-01-31", "qubits", date(2025, 1, 31)),
        ("qubits", "qubits", None),
    ],
)
def test_split_since(text: str, rest: str, since: date | None) -> None:
    assert split_since(text, TODAY) == (rest, since)


@pytest.mark.parametrize("text", ["qubits since:soon", "since:1d since:2d x", "qubits since:"])
def test_bad_since_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="since"):
        split_since(text, TODAY)


QUERIES = ["entanglement", '"quantum error correction"', "qubit -photon", "author:wang noise",
           "title:quantum (state OR states) -entanglement", "cat:quant-ph"]  # fmt: skip


@pytest.mark.parametrize("text", QUERIES)
def test_the_narrow_candidate_index_scores_like_a_full_index(text: str) -> None:
    from bot.digest.corpus import index_doc
    from bot.models import Paper
    from bot.query import PaperIndex, compile_query, rank
    from bot.search.index import candidate_index
    from bot.sources.arxiv_rss import parse_arxiv_feed
    from bot.store.papers import merge_fetched
    from tests.conftest import FIXTURES

    feed = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
    fetched = merge_fetched(parse_arxiv_feed(feed.read_bytes(), "recorded").papers).values()
    docs = [index_doc(Paper(id=n, key=f.key, source=f.source, title=f.title, title_raw=f.title,
                            abstract=f.abstract, abstract_raw=f.abstract, authors=list(f.authors),
                            categories=list(f.categories), primary_category=f.primary_category,
                            first_announced_on=TODAY, last_announced_on=TODAY))
            for n, f in enumerate(fetched, start=1)]  # fmt: skip
    query = parse_query(text)
    full = rank(PaperIndex(docs), [compile_query(query)])
    narrow = rank(candidate_index(docs, query), [compile_query(query)])
    assert narrow == full and (full or text.startswith("author:"))


async def test_with_more_matches_than_candidates_the_most_recent_are_ranked(db: Database) -> None:
    weeks_ago = (0, 2, 8, 30, 80)  # one in each week ring, one older than a year
    papers = [fetched_paper(title=f"Entanglement note {n}", announced_on=TODAY - timedelta(weeks=w))
              for n, w in enumerate(weeks_ago)]  # fmt: skip
    await store(db, *reversed(papers))  # stored oldest first, as a fetching bot stores them
    request = SearchRequest.parse("entanglement", TODAY)
    async with db.session() as session:
        capped = await search_papers(session, request, candidates=3)
        whole = await search_papers(session, request, candidates=10)
    assert {hit.paper.key for hit in capped.hits} == {p.key for p in papers[:3]}
    assert capped.capped and capped.matched == 3
    assert {hit.paper.key for hit in whole.hits} == {p.key for p in papers}
    assert not whole.capped and whole.matched == 5
