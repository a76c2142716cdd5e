"""Matching semantics of compiled queries on a PaperIndex (checked against the naive scan)."""

from __future__ import annotations

import pytest

from bot.query import PaperIndex, compile_query, parse_query
from tests.bot.query.helpers import doc, matched


def test_plural_and_hyphenation_tolerance() -> None:
    docs = [
        doc(1, "A large-language-model for chemistry"),
        doc(2, abstract="We study large language models."),
        doc(3, "Language and large models"),
    ]
    assert matched('"large language models"', docs) == {1, 2}
    assert matched("large-language-model", docs) == {1, 2}
    assert matched("studies", docs) == {2}


def test_word_boundaries() -> None:
    docs = [doc(1, "Drag reduction"), doc(2, "RAG pipelines"), doc(3, "ragged arrays")]
    assert matched("rag", docs) == {2}
    assert matched("drag", docs) == {1}


def test_case_insensitive_and_short_tokens() -> None:
    docs = [
        doc(1, "Evaluating gpt-4 on LLM tasks"),
        doc(2, abstract="a 3D scene, GPT 4 as judge"),
        doc(3, "GPT-40 and 3-D printing"),
    ]
    assert matched("GPT-4", docs) == {1, 2}
    assert matched("llms", docs) == {1}
    assert matched("3D", docs) == {2}


def test_accents() -> None:
    docs = [doc(1, "Modèles de diffusion", authors=("José Muñoz",))]
    assert matched("modeles", docs) == {1}
    assert matched("author:munoz", docs) == {1}
    assert matched("author:Muñoz", docs) == {1}


def test_phrase_needs_adjacency_within_one_field() -> None:
    docs = [
        doc(1, "Retrieval augmented generation"),
        doc(2, "Augmented retrieval"),
        doc(3, "A retrieval", abstract="augmented generation"),
    ]
    assert matched('"retrieval augmented"', docs) == {1}
    assert matched("retrieval augmented", docs) == {1, 2, 3}


def test_title_and_abstract_fields() -> None:
    docs = [doc(1, "Diffusion", "nothing"), doc(2, "Nothing", "diffusion")]
    assert matched("title:diffusion", docs) == {1}
    assert matched("abs:diffusion", docs) == {2}
    assert matched("diffusion", docs) == {1, 2}


def test_authors() -> None:
    docs = [
        doc(1, "x", authors=("Percy Liang", "Ada Lovelace")),
        doc(2, "x", authors=("Liang Percy",)),
        doc(3, "x", authors=("Percy Smith", "Jane Liang")),
    ]
    assert matched('author:"Percy Liang"', docs) == {1}
    assert matched("author:liang", docs) == {1, 2, 3}
    assert matched("author:percy author:liang", docs) == {1, 2, 3}
    assert matched("liang", docs) == set()


def test_negation_or_and() -> None:
    docs = [
        doc(1, "LLM survey"),
        doc(2, "LLM agents"),
        doc(3, "RAG agents"),
        doc(4, "Vision"),
    ]
    assert matched("llm -survey", docs) == {2}
    assert matched("llm NOT survey", docs) == {2}
    assert matched("llm OR rag", docs) == {1, 2, 3}
    assert matched("agent (llm OR rag)", docs) == {2, 3}
    assert matched("llm OR rag -agent", docs) == {1, 2}
    assert matched("(llm OR rag) -agent", docs) == {1}
    assert matched("agent -(llm survey)", docs) == {2, 3}
    assert matched("vision OR (llm -(survey OR agent))", docs) == {4}


def test_categories_include_cross_lists_and_archives() -> None:
    docs = [
        doc(1, categories=("cs.CL", "cs.LG"), primary_category="cs.CL"),
        doc(2, categories=("cs.LG",), primary_category="cs.LG"),
        doc(3, categories=("q-bio.GN", "cs.LG"), primary_category="q-bio.GN"),
        doc(4, categories=("stat.ML",), primary_category="stat.ML"),
    ]
    assert matched("cat:cs.LG", docs) == {1, 2, 3}
    assert matched("cat:CS.lg", docs) == {1, 2, 3}
    assert matched("cat:cs", docs) == {1, 2, 3}
    assert matched("cat:q-bio", docs) == {3}
    assert matched("cat:cs.LG -cat:cs.CL", docs) == {2, 3}
    assert matched("cat:cs.CV", docs) == set()


def test_subject_and_source() -> None:
    docs = [
        doc(1, "gene", categories=("Cancer Biology",), primary_category="", source="biorxiv"),
        doc(2, "gene", categories=("bioinformatics",), primary_category="", source="medrxiv"),
        doc(3, "gene", categories=("cs.CL",), source="arxiv"),
    ]
    assert matched("subject:cancer-biology", docs) == {1}
    assert matched('subject:"cancer  biology"', docs) == {1}
    assert matched("subject:bioinformatics", docs) == {2}
    assert matched("source:biorxiv subject:bioinformatics", docs) == set()
    assert matched("gene source:arxiv", docs) == {3}
    assert matched("gene -source:arxiv", docs) == {1, 2}
    assert matched("subject:cs.CL", docs) == set()


def test_feed_urls_are_normalized() -> None:
    docs = [
        doc(1, source="journal", feed="https://www.nature.com/subjects/bioinformatics.atom/"),
        doc(2, source="journal", feed="https://example.org/feed"),
        doc(3),
    ]
    assert matched("feed:http://nature.com/subjects/bioinformatics.atom", docs) == {1}
    assert matched("feed:www.NATURE.com/subjects/bioinformatics.atom", docs) == {1}
    assert matched("feed:https://example.org/feed/", docs) == {2}
    assert matched("source:journal -feed:example.org/feed", docs) == {1}


def test_every_match_scores_above_zero_and_non_matches_are_absent() -> None:
    docs = [doc(1, "graph neural network"), doc(2, "unrelated")]
    scores = compile_query(parse_query("cat:cs.CL")).scores(PaperIndex(docs))
    assert set(scores) == {1, 2}
    assert all(score > 0 for score in scores.values())
    scores = compile_query(parse_query("graph")).scores(PaperIndex(docs))
    assert set(scores) == {1}


def test_compiled_query_is_reusable_across_indexes() -> None:
    compiled = compile_query(parse_query("llm"))
    assert set(compiled.scores(PaperIndex([doc(1, "LLM")]))) == {1}
    assert set(compiled.scores(PaperIndex([doc(7, "no"), doc(8, "LLMs")]))) == {8}


def test_duplicate_doc_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        PaperIndex([doc(1), doc(1)])


def test_empty_index() -> None:
    assert compile_query(parse_query("x -y")).scores(PaperIndex([])) == {}
