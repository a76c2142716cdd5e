"""Planning what to fetch: a channel's topics as compiled queries, and the sources they need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.config import Settings
from bot.query import CompiledQuery, Query, QuerySyntaxError, compile_query, parse_query
from bot.query.ast import Term, positive_nodes


@dataclass(frozen=True)
class SourcePlan:
    """What to fetch: arXiv categories, bioRxiv/medRxiv subjects and journal feeds."""

    arxiv_categories: frozenset[str] = frozenset()
    biorxiv_subjects: frozenset[str] = frozenset()
    medrxiv_subjects: frozenset[str] = frozenset()
    biorxiv_all: bool = False
    medrxiv_all: bool = False
    feeds: frozenset[str] = field(default_factory=frozenset)
    arxiv_authors: frozenset[str] = frozenset()  # author-only topics: an arXiv `au:` search

    @property
    def is_empty(self) -> bool:
        """True when nothing needs fetching."""
        return not (
            self.arxiv_categories
            or self.biorxiv_subjects
            or self.medrxiv_subjects
            or self.biorxiv_all
            or self.medrxiv_all
            or self.feeds
            or self.arxiv_authors
        )


def author_only(query: Query) -> tuple[str, ...]:
    """The authors of a topic that names only authors (`author:"S. Pan" OR author:…`), else ()."""
    leaves = positive_nodes(query.ast)
    if leaves and all(isinstance(n, Term) and n.field == "author" for n in leaves):
        return tuple(n.text for n in leaves if isinstance(n, Term))
    return ()


def plan_sources(queries: Iterable[Query], settings: Settings) -> SourcePlan:
    """Everything these queries need fetched; topics naming no source use the defaults."""
    cats: set[str] = set()
    bio: set[str] = set()
    med: set[str] = set()
    feeds: set[str] = set()
    authors: set[str] = set()
    bio_all = med_all = False
    for query in queries:
        needs = query.requirements()
        if named := author_only(query):  # watched wherever they publish, not in the defaults
            authors.update(named)
            continue
        cats |= set(needs.arxiv_categories)
        bio |= set(needs.biorxiv_subjects)
        med |= set(needs.medrxiv_subjects)
        feeds |= set(needs.journal_feeds)
        bio_all = bio_all or "biorxiv" in needs.whole_sources
        med_all = med_all or "medrxiv" in needs.whole_sources
        if needs.needs_default or "arxiv" in needs.whole_sources:
            cats |= set(settings.default_categories)
    return SourcePlan(
        frozenset(cats), frozenset(bio), frozenset(med), bio_all, med_all, frozenset(feeds),
        frozenset(authors),
    )  # fmt: skip


def parse_topics(texts: Iterable[str]) -> list[Query]:
    """Parse stored topic queries; one that no longer parses is skipped, not fatal."""
    queries = []
    for text in texts:
        try:
            queries.append(parse_query(text))
        except QuerySyntaxError:
            continue
    return queries


def compile_topics(texts: Iterable[str]) -> list[CompiledQuery]:
    """Compile stored topic queries, skipping any that no longer parse."""
    return [compile_query(query) for query in parse_topics(texts)]
