"""Ranking: BM25 behaviour on small corpora and sensible orders on real abstracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.query import IndexDoc, PaperIndex, compile_query, parse_query, rank
from bot.query.scoring import BASE_SCORE
from bot.query.terms import tokenize
from tests.bot.query.helpers import doc, load_reference_docs

FILLER = "we present results on standard benchmarks and discuss limitations"


def ranked(index: PaperIndex, *queries: str) -> list[tuple[int, float]]:
    """rank() of the given topic queries."""
    return rank(index, [compile_query(parse_query(q)) for q in queries])


def order(index: PaperIndex, *queries: str) -> list[int]:
    """Doc ids in rank order."""
    return [doc_id for doc_id, _ in ranked(index, *queries)]


def test_title_hit_outranks_abstract_hit() -> None:
    docs = [doc(1, "Unrelated words", "a diffusion model"), doc(2, "Diffusion", FILLER)]
    index = PaperIndex(docs)
    assert order(index, "diffusion") == [2, 1]


def test_shorter_abstract_with_same_tf_ranks_higher() -> None:
    long_abs = f"graph {FILLER} {FILLER} {FILLER}"
    index = PaperIndex([doc(1, "x", long_abs), doc(2, "x", f"graph {FILLER}")])
    assert order(index, "graph") == [2, 1]


def test_more_occurrences_rank_higher() -> None:
    index = PaperIndex([doc(1, "x", "graph model model"), doc(2, "x", "graph graph graph")])
    assert order(index, "graph") == [2, 1]


def test_rare_term_weighs_more_than_common_term() -> None:
    docs = [doc(i, "x", "model") for i in range(10)]
    docs += [doc(10, "x", "model mamba"), doc(11, "x", "model model")]
    scores = compile_query(parse_query("model OR mamba")).scores(PaperIndex(docs))
    assert max(scores, key=lambda d: (scores[d], -d)) == 10


def test_phrase_counts_as_one_term() -> None:
    docs = [doc(1, "x", "language model language model"), doc(2, "x", "language model model")]
    scores = compile_query(parse_query('"language model"')).scores(PaperIndex(docs))
    assert scores[1] > scores[2] > BASE_SCORE


def test_filter_only_matches_get_the_base_score_and_rank_below_text_hits() -> None:
    cv = doc(3, "text", categories=("cs.CV",), primary_category="cs.CV")
    docs = [doc(1, "graph"), doc(2, "vision"), cv]
    index = PaperIndex(docs)
    assert ranked(index, "cat:cs.CL") == [(1, BASE_SCORE), (2, BASE_SCORE)]
    assert order(index, "cat:cs.CV", "graph") == [1, 3]


def test_multi_topic_max_plus_bonus() -> None:
    index = PaperIndex([doc(1, "graph"), doc(2, "graph vision"), doc(3, "vision")])
    single = dict(ranked(index, "graph"))
    both = dict(ranked(index, "graph", "vision"))
    assert set(both) == {1, 2, 3}
    assert both[1] == pytest.approx(single[1])
    assert both[2] == pytest.approx(max(dict(ranked(index, "vision"))[2], single[2]) * 1.1)


def test_ties_are_broken_by_doc_id() -> None:
    index = PaperIndex([doc(5, "same"), doc(3, "same"), doc(4, "same")])
    assert order(index, "same") == [3, 4, 5]


# --- real abstracts --------------------------------------------------------------------


@pytest.fixture
def real_docs(reference_dir: Path) -> list[IndexDoc]:
    """The 124 papers of the reference digest."""
    docs = load_reference_docs(reference_dir)
    assert len(docs) == 124
    return docs


def title_of(docs: list[IndexDoc], doc_id: int) -> str:
    """Title of a doc by id."""
    return next(d.title for d in docs if d.doc_id == doc_id)


def in_title(paper: IndexDoc, phrase: str) -> bool:
    """Whether the normalized title contains the normalized phrase."""
    title = f" {' '.join(tokenize(paper.title))} "
    return f" {' '.join(tokenize(phrase))} " in title


@pytest.mark.parametrize(
    "phrase",
    [
        "compression",
        "segmentation",
        "video diffusion",
        "remote sensing",
        "vision transformers",
        "pose estimation",
        "zero-shot",
        "reinforcement learning",
    ],
)
def test_every_title_hit_outranks_every_abstract_only_hit(
    real_docs: list[IndexDoc], phrase: str
) -> None:
    ranking = order(PaperIndex(real_docs), f'"{phrase}"')
    by_id = {d.doc_id: d for d in real_docs}
    title_hits = [d for d in ranking if in_title(by_id[d], phrase)]
    assert len(title_hits) >= 2, "the assertion below needs title hits"
    assert len(ranking) > len(title_hits), "and abstract-only hits"
    assert ranking[: len(title_hits)] == title_hits


@pytest.mark.parametrize(
    ("query", "top_title_start"),
    [
        ('"human pose estimation"', "milliMamba"),
        ('"integrated sensing and communication"', "Target Classification for Integrated"),
        ("mamba radar", "milliMamba"),
        ('"gaussian splatting" pose', "Enhancing annotations for 5D apple pose"),
        ("sentiment teacher", "Advancing Multimodal Teacher Sentiment"),
        ('"lie groups"', "Discovering Lie Groups with Flow Matching"),
        ("RAG", "Adaptive Financial Sentiment Analysis"),
        ("anomaly detection textured", "High Dimensional Data Decomposition"),
    ],
)
def test_specific_query_ranks_the_obvious_paper_first(
    real_docs: list[IndexDoc], query: str, top_title_start: str
) -> None:
    ranking = order(PaperIndex(real_docs), query)
    assert ranking, f"{query} matched nothing"
    assert title_of(real_docs, ranking[0]).startswith(top_title_start)


def test_pinching_antenna_papers_are_exactly_the_top(real_docs: list[IndexDoc]) -> None:
    ranking = order(PaperIndex(real_docs), "pinching antenna")
    pinching = {d.doc_id for d in real_docs if "pinching" in d.title.lower()}
    assert len(pinching) == 3
    assert set(ranking[:3]) == pinching


def test_acronym_and_expansion_both_rank_their_title_papers(real_docs: list[IndexDoc]) -> None:
    index = PaperIndex(real_docs)
    isac = order(index, "ISAC")
    isac_titles = [title_of(real_docs, d) for d in isac[:2]]
    assert all("ISAC" in title for title in isac_titles)
    channel = order(index, "ISAC", '"integrated sensing and communication"')
    assert set(channel[:3]) == set(isac[:2]) | {order(index, '"integrated sensing"')[0]}


def test_phrase_matches_subset_of_bag_of_words(real_docs: list[IndexDoc]) -> None:
    index = PaperIndex(real_docs)
    for text in ("language models", "video generation", "object detection"):
        phrase = set(order(index, f'"{text}"'))
        words = set(order(index, text))
        assert phrase
        assert phrase < words


def test_negation_removes_only_the_excluded_paper(real_docs: list[IndexDoc]) -> None:
    index = PaperIndex(real_docs)
    ranking = order(index, "pinching antenna")
    viterbi = [d for d in ranking if "Viterbi" in title_of(real_docs, d)]
    assert len(viterbi) == 1
    assert order(index, "pinching antenna -viterbi") == [d for d in ranking if d not in viterbi]


def test_category_filter_narrows_a_text_query(real_docs: list[IndexDoc]) -> None:
    index = PaperIndex(real_docs)
    everywhere = order(index, "llm")
    in_ai = order(index, "llm cat:cs.AI")
    categories = {d.doc_id: d.primary_category for d in real_docs}
    assert in_ai == [d for d in everywhere if categories[d] == "cs.AI"]
    assert 0 < len(in_ai) < len(everywhere)
