"""Cached rerank scores: one row per (paper, topic-set hash, model), shared across channels."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import RerankScore, utcnow
from bot.store.db import insert_ignoring_duplicates


def topics_hash(topics: Iterable[str]) -> str:
    """sha256 (hex) of the sorted, stripped, distinct topic texts: order and spacing don't count."""
    texts = sorted({t.strip() for t in topics if t.strip()})
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()


async def cached_scores(
    session: AsyncSession, digest: str, model: str, paper_ids: Sequence[int]
) -> dict[int, float]:
    """The stored 0–10 scores of these papers for this topic-set hash and model."""
    if not paper_ids:
        return {}
    statement = select(RerankScore.paper_id, RerankScore.score).where(
        RerankScore.topics_hash == digest,
        RerankScore.model == model,
        col(RerankScore.paper_id).in_(list(paper_ids)),
    )
    rows = await session.exec(statement)
    return {paper_id: float(score) for paper_id, score in rows}


async def store_scores(
    session: AsyncSession, digest: str, model: str, scores: Mapping[int, float]
) -> None:
    """Save new scores; a row another replica saved first is kept as is."""
    now = utcnow()
    rows = [
        {"paper_id": p, "topics_hash": digest, "model": model, "score": s, "created_at": now}
        for p, s in sorted(scores.items())
    ]
    await insert_ignoring_duplicates(session, RerankScore, rows)
