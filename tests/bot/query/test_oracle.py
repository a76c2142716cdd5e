"""The index's match set equals the naive scanner's for random queries over real abstracts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.query import IndexDoc, PaperIndex, compile_query, naive_match, parse_query
from bot.query.ast import Filter, Node, Not, Term, format_node, make_and, make_or
from bot.query.parser import has_positive
from tests.bot.query.helpers import load_reference_docs

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]{1,}")


def varied(docs: list[IndexDoc]) -> list[IndexDoc]:
    """Real texts with varied metadata: cross-lists, bioRxiv subjects, journal feeds."""
    result = []
    for d in docs:
        if d.doc_id % 7 == 0:
            subject = ("Bioinformatics", "Cancer Bio")[d.doc_id % 2]
            d = replace(d, source="biorxiv", categories=(subject,), primary_category=subject)
        elif d.doc_id % 11 == 0:
            d = replace(d, source="journal", feed=f"https://example.org/j{d.doc_id % 2}.rss")
        elif d.doc_id % 3 == 0:
            d = replace(d, categories=(*d.categories, "stat.ML"))
        result.append(d)
    return result


def vocabulary(docs: list[IndexDoc]) -> tuple[list[str], list[str]]:
    """Frequent-ish words of the abstracts, and adjacent word pairs from the titles."""
    counts = Counter(w.lower() for d in docs for w in _WORD_RE.findall(d.abstract))
    words = [w for w, n in counts.most_common(400) if n >= 3][20:200]
    pairs = [
        f"{a} {b}"
        for d in docs
        for a, b in zip(d.title.split(), d.title.split()[1:], strict=False)
        if _WORD_RE.fullmatch(a) and _WORD_RE.fullmatch(b)
    ]
    return words, sorted(set(pairs))[:150]


def query_trees(words: list[str], pairs: list[str]) -> st.SearchStrategy[Node]:
    """Random syntax trees over the vocabulary and the corpus' metadata."""
    fields = st.sampled_from(["any", "any", "title", "abs"])
    leaves = st.one_of(
        st.builds(Term, fields, st.sampled_from(words), st.just(False)),
        st.builds(Term, fields, st.sampled_from(pairs), st.just(True)),
        st.builds(Term, st.just("author"), st.sampled_from(["wang", "li", "zhang", "liu"])),
        st.builds(
            Filter, st.just("cat"), st.sampled_from(["cs.CV", "cs.AI", "stat.ML", "cs", "eess"])
        ),
        st.builds(Filter, st.just("subject"), st.sampled_from(["bioinformatics", "cancer_bio"])),
        st.builds(Filter, st.just("source"), st.sampled_from(["arxiv", "biorxiv", "journal"])),
        st.builds(Filter, st.just("feed"), st.just("https://example.org/j1.rss")),
    )
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.builds(Not, kids),
            st.lists(kids, min_size=2, max_size=3).map(make_and),
            st.lists(kids, min_size=2, max_size=3).map(make_or),
        ),
        max_leaves=7,
    ).filter(has_positive)


def test_index_match_set_equals_naive_scan(reference_dir: Path) -> None:
    docs = varied(load_reference_docs(reference_dir))
    index = PaperIndex(docs)
    words, pairs = vocabulary(docs)
    assert len(words) > 100 and len(pairs) > 100
    nonempty: list[int] = []

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query_trees(words, pairs))
    def check(tree: Node) -> None:
        query = parse_query(format_node(tree))
        expected = set(naive_match(query, docs))
        assert set(compile_query(query).scores(index)) == expected, query.text
        nonempty.append(len(expected))

    check()
    assert sum(1 for n in nonempty if 0 < n < len(docs)) > 25, "the queries were too trivial"
