"""The digest's LLM extras: a rerank pass over the top candidates, and LLM-written themes.

Themes are written per category (`category_themes`), once per (category, language, set of
papers) on the `ThemeBoard`, and each digest composes its lines from its categories'
themes: the day's themes calls do not grow with the number of channels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config import Settings
from bot.digest.build import Selected
from bot.digest.category_themes import (
    MAX_PAPERS,
    PROMPT_VERSION,
    CategoryPaper,
    Theme,
    category_themes,
    compose_themes,
)
from bot.digest.corpus import Corpus
from bot.digest.llm_themes import llm_themes
from bot.digest.model import DigestPaper
from bot.digest.theme_board import ThemeBoard
from bot.impact.judge import LLMJudge
from bot.llm.client import LLMClient
from bot.rank.rerank import LLMReranker, RerankItem, combine
from bot.store.db import Database
from bot.store.usage import UsageRecorder
from bot.weekly.fields import CrossField, WeekPaper
from bot.weekly.fields_llm import llm_cross_field

POOL_FACTOR, MIN_POOL = 3, 30  # rerank this many candidates for a digest of `max_papers`


@dataclass
class DigestLLM:
    """What an LLM adds to a digest; built only when an LLM is configured."""

    client: LLMClient
    settings: Settings
    usage: UsageRecorder
    reranker: LLMReranker | None = None
    judge: LLMJudge | None = None  # impact tournaments (cached judgments)
    board: ThemeBoard = field(init=False)

    def __post_init__(self) -> None:
        version = f"{self.settings.llm_model}:{PROMPT_VERSION}"
        self.board = ThemeBoard(self._write_themes, version)

    @classmethod
    def of(cls, client: LLMClient, settings: Settings, db: Database) -> DigestLLM:
        """The extras for this configuration (rerank only with LLM_RERANK=true)."""
        usage = UsageRecorder(db)
        reranker = LLMReranker(client, settings, usage, db) if settings.llm_rerank else None
        return cls(client, settings, usage, reranker, LLMJudge(db, client, settings, usage))

    def pool_size(self, max_papers: int) -> int | None:
        """How many candidates to rank before capping, or None when there is no rerank."""
        return max(POOL_FACTOR * max_papers, MIN_POOL) if self.reranker is not None else None

    async def rerank(
        self, topics: Sequence[str], pool: Sequence[Selected], limit: int
    ) -> list[Selected]:
        """The pool in the blended BM25 + LLM order, capped at `limit`; query order on failure."""
        if self.reranker is None or not pool:
            return list(pool[:limit])
        by_id = {s.paper.id: s for s in pool if s.paper.id is not None}
        items = [RerankItem(pid, s.paper.title, s.paper.abstract) for pid, s in by_id.items()]
        scores = await self.reranker.rerank(topics, items)
        order = combine({pid: s.relevance for pid, s in by_id.items()}, scores)
        return [by_id[pid] for pid, _ in order][:limit]

    async def themes(self, papers: Sequence[DigestPaper], language: str) -> tuple[str, ...] | None:
        """2–4 themes across these papers in one call (the weekly briefing's), or None."""
        return await llm_themes(self.client, self.settings, self.usage, papers, language)

    async def digest_themes(
        self, papers: Sequence[DigestPaper], language: str, corpus: Corpus | None = None
    ) -> tuple[str, ...]:
        """The digest's theme lines, composed from its categories' themes (no call of its own).

        A category's themes read all its papers in `corpus` (the digest window), so every
        channel following it shares them; without a corpus, the digest's own papers.
        """
        if len(papers) < 2:
            return ()
        groups = category_papers(papers, corpus)
        found = await asyncio.gather(
            *(self.board.themes(category, group, language) for category, group in groups.items())
        )
        return compose_themes(papers, [theme for themes in found for theme in themes or ()])

    async def _write_themes(
        self, category: str, papers: Sequence[CategoryPaper], language: str
    ) -> tuple[Theme, ...] | None:
        return await category_themes(
            self.client, self.settings, self.usage, category, papers, language
        )

    async def cross_field(self, papers: Sequence[WeekPaper], language: str) -> CrossField | None:
        """Per-field notes and connections in one call, or None (use the offline ones)."""
        return await llm_cross_field(self.client, self.settings, self.usage, papers, language)


def category_papers(
    papers: Sequence[DigestPaper], corpus: Corpus | None
) -> dict[str, list[CategoryPaper]]:
    """Per category of the digest, the papers its themes call reads (in id order, capped)."""
    mine: dict[str, dict[int, str]] = {}
    for paper in papers:
        mine.setdefault(paper.primary_category or "other", {})[paper.paper_id] = paper.title
    groups = {}
    for category, own in mine.items():
        ids = corpus.by_category.get(category, ()) if corpus is not None else ()
        if not set(own) <= set(ids):
            groups[category] = [CategoryPaper(pid, own[pid]) for pid in sorted(own)]
            continue  # papers from outside the window (a resumed plan): the digest's own
        assert corpus is not None
        groups[category] = [CategoryPaper(pid, corpus.papers[pid][0].title)
                            for pid in ids[:MAX_PAPERS]]  # fmt: skip
    return groups
