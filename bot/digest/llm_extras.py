"""The digest's LLM extras: a rerank pass over the top candidates, and LLM-written themes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.digest.build import Selected
from bot.digest.llm_themes import llm_themes
from bot.digest.model import DigestPaper
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
        """2–4 themes in one call, or None (the caller keeps the offline keyword themes)."""
        return await llm_themes(self.client, self.settings, self.usage, papers, language)

    async def cross_field(
        self, papers: Sequence[WeekPaper], language: str
    ) -> CrossField | None:
        """Per-field notes and connections in one call, or None (use the offline ones)."""
        return await llm_cross_field(self.client, self.settings, self.usage, papers, language)
