"""Property tests for the parser: it fails only with QuerySyntaxError, and round-trips."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.query import Query, QuerySyntaxError, parse_query
from bot.query.ast import Filter, Node, Not, Term, format_node, make_and, make_or
from bot.query.parser import has_positive

QUERY_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
SPECIAL = st.sampled_from(
    ['"', "(", ")", "-", ":", " ", "OR", "AND", "NOT", "cat:", "author:", "source:", "feed:"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(QUERY_ALPHABET, max_size=8), SPECIAL), max_size=12))
def test_arbitrary_text_raises_only_query_syntax_error(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        result = parse_query(text)
    except QuerySyntaxError as err:
        assert err.message
        assert isinstance(err.position, int)
        assert 0 <= err.position <= max(len(text), 500)
    else:
        assert isinstance(result, Query)
        assert result.text == text


@given(st.text(max_size=600))
def test_any_unicode_text(text: str) -> None:
    with contextlib.suppress(QuerySyntaxError):
        assert isinstance(parse_query(text), Query)


WORDS = st.sampled_from(
    ["llm", "rag", "Diffusion", "graph", "GPT-4", "state-of-the-art", "models", "élan", "3D"]
)
PHRASES = st.sampled_from(["retrieval augmented", "Percy Liang", "large language models"])


def leaves() -> st.SearchStrategy[Node]:
    """Terms and filters as the parser produces them."""
    text_fields = st.sampled_from(["any", "title", "abs", "author"])
    words = st.builds(Term, text_fields, WORDS, st.just(False))
    phrases = st.builds(Term, text_fields, PHRASES, st.just(True))
    filters = st.one_of(
        st.builds(Filter, st.just("cat"), st.sampled_from(["cs.CL", "cs", "q-bio.NC"])),
        st.builds(Filter, st.just("source"), st.sampled_from(["arxiv", "biorxiv", "journal"])),
        st.builds(Filter, st.just("subject"), st.sampled_from(["genomics", "cancer biology"])),
        st.builds(Filter, st.just("feed"), st.just("https://example.org/feed.atom")),
    )
    return st.one_of(words, phrases, filters)


def trees() -> st.SearchStrategy[Node]:
    """Normalized syntax trees (Ands of non-Ands, Ors of non-Ors)."""
    return st.recursive(
        leaves(),
        lambda kids: st.one_of(
            st.builds(Not, kids),
            st.lists(kids, min_size=2, max_size=3).map(make_and),
            st.lists(kids, min_size=2, max_size=3).map(make_or),
        ),
        max_leaves=8,
    )


@settings(max_examples=300, deadline=None)
@given(trees())
def test_formatted_trees_parse_back(tree: Node) -> None:
    text = format_node(tree)
    if len(text) > 500:
        return
    if not has_positive(tree):
        try:
            parse_query(text)
        except QuerySyntaxError as err:
            assert err.message == "a topic needs at least one positive term"
            return
        raise AssertionError(f"negation-only query accepted: {text}")
    assert parse_query(text).ast == tree
