"""The papers announced in a date window, indexed once and shared by every channel's digest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.feedback import content_terms
from bot.digest.themes import ThemeMemo
from bot.models import Announcement, Paper
from bot.paper_view import PaperFields
from bot.query.index import IndexDoc, PaperIndex
from bot.store.deliveries import as_utc
from bot.store.papers import announced_between
from bot.summary.types import Summary

QUERY_MEMO_DOCS = 100_000  # doc ids of recent topics' matches and scores kept per corpus
T = TypeVar("T")


@dataclass(frozen=True)
class Corpus:
    """Papers announced in [first, last] with their announcements and a topic index over them."""

    first: date
    last: date
    papers: dict[int, tuple[Paper, Announcement]]
    index: PaperIndex
    _terms: dict[int, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per key for this corpus (per-window sets shared by channels)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def terms(self, paper_id: int) -> frozenset[str]:
        """A paper's content terms for feedback similarity, computed once per corpus."""
        found = self._terms.get(paper_id)
        if found is None:
            paper, _ = self.papers[paper_id]
            found = self._terms[paper_id] = content_terms(paper.title, paper.abstract)
        return found

    @cached_property
    def replacements(self) -> frozenset[int]:
        """Ids of the papers announced (in this window) as replacements."""
        return frozenset(
            pid for pid, (_, ann) in self.papers.items() if ann.announce_type.startswith("replace")
        )

    @cached_property
    def by_category(self) -> dict[str, tuple[int, ...]]:
        """Paper ids by primary category (as digests group them), in id order."""
        groups: dict[str, list[int]] = {}
        for pid in sorted(self.papers):
            paper, _ = self.papers[pid]
            groups.setdefault(paper.primary_category or "other", []).append(pid)
        return {category: tuple(ids) for category, ids in groups.items()}

    @cached_property
    def new_from(self) -> int | None:
        """The smallest id of a paper first seen on or after `first` (ids grow as papers are
        stored, so the rest of the window's new papers lie above it); None when none is."""
        new = [pid for pid, (paper, _) in self.papers.items()
               if as_utc(paper.created_at).date() >= self.first]  # fmt: skip
        return min(new, default=None)

    @cached_property
    def versions(self) -> dict[int, int]:
        """Paper id -> stored version (0 when unknown), read once from the rows."""
        return {pid: paper.version or 0 for pid, (paper, _) in self.papers.items()}

    @cached_property
    def announced_dates(self) -> list[date]:
        """Every paper's (newest) announcement date, sorted."""
        return sorted(ann.announced_on for _, ann in self.papers.values())

    @cached_property
    def seen_times(self) -> list[tuple[datetime, date]]:
        """(when first seen (UTC), announcement date) of each paper, sorted."""
        return sorted((as_utc(p.created_at), a.announced_on) for p, a in self.papers.values())

    @classmethod
    def of(cls, first: date, last: date, rows: list[tuple[Paper, Announcement]]) -> Corpus:
        """Index these rows."""
        papers = {paper.id: (paper, ann) for paper, ann in rows if paper.id is not None}
        docs = [index_doc(paper) for paper, _ in papers.values()]
        return cls(first, last, papers, PaperIndex(docs, query_memo=QUERY_MEMO_DOCS))


def index_doc(paper: Paper) -> IndexDoc:
    """How the topic index sees a stored paper."""
    assert paper.id is not None
    return IndexDoc(
        doc_id=paper.id,
        title=paper.title,
        abstract=paper.abstract,
        authors=tuple(paper.authors),
        categories=tuple(paper.categories),
        primary_category=paper.primary_category,
        source=paper.source,
        feed=paper.feed,
    )


async def load_corpus(session: AsyncSession, first: date, last: date) -> Corpus:
    """The indexed papers announced in [first, last]."""
    return Corpus.of(first, last, await announced_between(session, first, last))


class CorpusCache:
    """Corpora loaded once per date window for one delivery run, shared by its channels,
    and the summaries its digests have shown, by language (read once per run, not per chunk;
    a fallback summary is not kept, so a later chunk asks again), their themes and papers."""

    def __init__(self) -> None:
        self._corpora: dict[tuple[date, date], Corpus] = {}
        self._lock = asyncio.Lock()
        self.summaries: dict[str, dict[int, Summary]] = {}
        self.themes = ThemeMemo()  # the digests' keyword themes, worked out once per list
        self.fields = PaperFields()  # the papers' view fields, read from their rows once

    async def get(self, session: AsyncSession, first: date, last: date) -> Corpus:
        """The corpus for [first, last], loading it on first use."""
        async with self._lock:
            corpus = self._corpora.get((first, last))
            if corpus is None:
                corpus = self._corpora[(first, last)] = await load_corpus(session, first, last)
            return corpus
