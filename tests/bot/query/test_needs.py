"""Query.requirements(): what must be fetched for a topic."""

from __future__ import annotations

import pytest

from bot.query import SourceNeeds, parse_query


def needs(text: str) -> SourceNeeds:
    """The requirements of `text`."""
    return parse_query(text).requirements()


def test_text_only_query_needs_the_defaults() -> None:
    assert needs('"graph neural network" -survey') == SourceNeeds(needs_default=True)
    assert needs("author:liang") == SourceNeeds(needs_default=True)


def test_positive_categories_are_needs() -> None:
    result = needs('cat:cs.cl ("retrieval augmented" OR RAG) -survey')
    assert result == SourceNeeds(arxiv_categories=frozenset({"cs.CL"}))


def test_negated_category_is_not_a_need() -> None:
    assert needs("cat:cs.LG -cat:cs.CV") == SourceNeeds(arxiv_categories=frozenset({"cs.LG"}))
    assert needs("diffusion -cat:cs.CV") == SourceNeeds(needs_default=True)


def test_or_unions_and_an_unconstrained_branch_adds_defaults() -> None:
    assert needs("cat:cs.CL OR cat:stat.ML").arxiv_categories == {"cs.CL", "stat.ML"}
    mixed = needs("cat:cs.CL OR transformer")
    assert mixed.arxiv_categories == {"cs.CL"}
    assert mixed.needs_default


def test_and_of_two_categories_needs_only_one_listing() -> None:
    assert needs("cat:cs.CL cat:cs.LG").arxiv_categories == {"cs.CL"}
    assert needs("cat:cs cat:cs.CL").arxiv_categories == {"cs.CL"}
    assert needs("cat:cs.CL cat:cs").arxiv_categories == {"cs.CL"}


def test_archive_only_category() -> None:
    assert needs("cat:q-bio genome").arxiv_categories == {"q-bio"}


def test_subject_by_source() -> None:
    assert needs("source:biorxiv subject:bioinformatics") == SourceNeeds(
        biorxiv_subjects=frozenset({"bioinformatics"})
    )
    assert needs('source:medrxiv subject:"Infectious Diseases"') == SourceNeeds(
        medrxiv_subjects=frozenset({"infectious diseases"})
    )


def test_subject_without_source_means_both_servers() -> None:
    assert needs("subject:genomics") == SourceNeeds(
        biorxiv_subjects=frozenset({"genomics"}), medrxiv_subjects=frozenset({"genomics"})
    )


def test_whole_source() -> None:
    assert needs("source:biorxiv crispr") == SourceNeeds(whole_sources=frozenset({"biorxiv"}))
    assert needs("source:arxiv llm").whole_sources == {"arxiv"}


def test_incompatible_sources_need_nothing() -> None:
    assert needs("cat:cs.CL source:biorxiv") == SourceNeeds()
    assert needs("cat:cs.CL subject:genomics") == SourceNeeds()


def test_feeds() -> None:
    url = "https://www.nature.com/subjects/bioinformatics.atom"
    assert needs(f"feed:{url}") == SourceNeeds(journal_feeds=frozenset({url}))
    assert needs(f"source:journal feed:{url}").journal_feeds == {url}
    assert needs(f"feed:{url} feed:https://example.org/other.rss") == SourceNeeds()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(cat:cs.CL OR subject:genomics) gene", ({"cs.CL"}, {"genomics"}, {"genomics"})),
        ("source:biorxiv (subject:a OR subject:b)", (set(), {"a", "b"}, set())),
        ("(source:biorxiv OR cat:cs.AI) subject:x", (set(), {"x"}, set())),
    ],
)
def test_combinations(text: str, expected: tuple[set[str], set[str], set[str]]) -> None:
    result = needs(text)
    cats, bio, med = expected
    assert (result.arxiv_categories, result.biorxiv_subjects, result.medrxiv_subjects) == (
        cats,
        bio,
        med,
    )
    assert not result.needs_default


def test_union_of_channel_topics() -> None:
    merged = needs("cat:cs.CL").union(needs("subject:genomics")).union(needs("llm"))
    assert merged.arxiv_categories == {"cs.CL"}
    assert merged.biorxiv_subjects == {"genomics"}
    assert merged.needs_default
