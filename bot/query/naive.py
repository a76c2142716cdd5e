"""A scan-everything matcher with compiled regexes: the baseline and test oracle for the index.

It has the same boolean semantics as `CompiledQuery.matches` but no index: every paper is
normalized to space-joined tokens and each term is a regex over that text. Its score is
simple: BASE_SCORE + title hits * TITLE_WEIGHT + abstract hits, over positive text terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.query.ast import And, Filter, Node, Not, Or, Term, positive_nodes
from bot.query.index import IndexDoc
from bot.query.model import Query
from bot.query.names import names_match
from bot.query.scoring import BASE_SCORE, TITLE_WEIGHT
from bot.query.terms import tokenize
from bot.query.values import PREPRINT_SERVERS, archive_of, category_key, feed_key, subject_key


@dataclass(frozen=True)
class _Prepared:
    """One paper's normalized text and metadata."""

    title: str
    abstract: str
    authors: tuple[str, ...]
    names: tuple[str, ...]  # the authors as written
    categories: frozenset[str]
    subjects: frozenset[str]
    source: str
    feed: str | None


def _prepare(doc: IndexDoc) -> _Prepared:
    """Normalize a paper for scanning."""
    source = doc.source.strip().lower()
    raw = [c for c in (*doc.categories, doc.primary_category) if c]
    preprint = source in PREPRINT_SERVERS
    cats = {category_key(c) for c in raw} if not preprint else set()
    return _Prepared(
        title=" ".join(tokenize(doc.title)),
        abstract=" ".join(tokenize(doc.abstract)),
        authors=tuple(" ".join(tokenize(name)) for name in doc.authors),
        names=tuple(doc.authors),
        categories=frozenset(cats | {archive_of(c) for c in cats}),
        subjects=frozenset(subject_key(c) for c in raw) if preprint else frozenset(),
        source=source,
        feed=feed_key(doc.feed) if doc.feed else None,
    )


def term_regex(text: str) -> re.Pattern[str]:
    """A regex finding the tokens of `text` as whole, adjacent tokens of normalized text."""
    body = " ".join(re.escape(token) for token in tokenize(text))
    return re.compile(rf"(?:^| )(?={body}(?: |$))")


class _Scanner:
    """Evaluates one query's syntax tree against prepared papers, with cached regexes."""

    def __init__(self) -> None:
        self.patterns: dict[str, re.Pattern[str]] = {}

    def pattern(self, text: str) -> re.Pattern[str]:
        """The (cached) regex of a term's text."""
        if text not in self.patterns:
            self.patterns[text] = term_regex(text)
        return self.patterns[text]

    def term_hits(self, term: Term, paper: _Prepared) -> tuple[int, int]:
        """(title hits, abstract hits) of a title/abs/any term."""
        rx = self.pattern(term.text)
        title = len(rx.findall(paper.title)) if term.field in ("any", "title") else 0
        abstract = len(rx.findall(paper.abstract)) if term.field in ("any", "abs") else 0
        return title, abstract

    def matches(self, node: Node, paper: _Prepared) -> bool:
        """Boolean evaluation of `node` on one paper."""
        if isinstance(node, Term):
            if node.field == "author":
                rx = self.pattern(node.text)
                return any(rx.search(name) for name in paper.authors) or any(
                    names_match(node.text, name) for name in paper.names
                )
            return sum(self.term_hits(node, paper)) > 0
        if isinstance(node, Filter):
            return _filter_matches(node, paper)
        if isinstance(node, Not):
            return not self.matches(node.child, paper)
        if isinstance(node, Or):
            return any(self.matches(child, paper) for child in node.children)
        assert isinstance(node, And)
        return all(self.matches(child, paper) for child in node.children)


def _filter_matches(node: Filter, paper: _Prepared) -> bool:
    """Whether a metadata filter holds for a paper."""
    if node.field == "cat":
        return category_key(node.value) in paper.categories
    if node.field == "subject":
        return subject_key(node.value) in paper.subjects
    if node.field == "source":
        return paper.source == node.value.lower()
    if node.field == "similar":
        return True
    return paper.feed is not None and paper.feed == feed_key(node.value)


def naive_match(
    query: Query, docs: Sequence[IndexDoc], prepared: dict[int, _Prepared] | None = None
) -> dict[int, float]:
    """doc_id -> score (> 0) for every paper in `docs` matching `query`, by full scan.

    `prepared` keeps the papers' normalized text between calls (a simple bot normalizes the
    day's papers once, then scans them for every topic)."""
    cache: dict[int, _Prepared] = {} if prepared is None else prepared
    scanner = _Scanner()
    scored = [
        leaf
        for leaf in positive_nodes(query.ast)
        if isinstance(leaf, Term) and leaf.field != "author"
    ]
    result: dict[int, float] = {}
    for doc in docs:
        paper = cache.get(doc.doc_id)
        if paper is None:
            paper = cache[doc.doc_id] = _prepare(doc)
        if not scanner.matches(query.ast, paper):
            continue
        score = BASE_SCORE
        for term in scored:
            title, abstract = scanner.term_hits(term, paper)
            score += title * TITLE_WEIGHT + abstract
        result[doc.doc_id] = score
    return result
