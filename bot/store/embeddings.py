"""Stored paper embeddings: one float32 vector per (paper, model), computed once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Paper, PaperEmbedding, utcnow
from bot.rank.embed import Embedder, paper_text
from bot.store.db import Database, insert_ignoring_duplicates

CHUNK = 500


async def stored_vectors(
    session: AsyncSession, model: str, paper_ids: Sequence[int]
) -> dict[int, np.ndarray]:
    """paper id -> vector, for the papers embedded under `model`."""
    found: dict[int, np.ndarray] = {}
    ids = list(dict.fromkeys(paper_ids))
    for start in range(0, len(ids), CHUNK):
        query = select(PaperEmbedding.paper_id, PaperEmbedding.vector).where(
            PaperEmbedding.model == model,
            col(PaperEmbedding.paper_id).in_(ids[start : start + CHUNK]),
        )
        for pid, blob in await session.exec(query):
            found[pid] = np.frombuffer(blob, dtype=np.float32)
    return found


async def embed_papers(
    db: Database, embedder: Embedder, paper_ids: Sequence[int], batch: int = 64
) -> int:
    """Embed the papers not yet embedded under this model, in batches; how many were."""
    async with db.session() as session:
        have = await stored_vectors(session, embedder.name, paper_ids)
        missing = [pid for pid in dict.fromkeys(paper_ids) if pid not in have]
    done = 0
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        async with db.session() as session:
            rows = await session.exec(select(Paper).where(col(Paper.id).in_(chunk)))
            papers = [p for p in rows if p.id is not None]
        texts = [paper_text(p.title, p.abstract) for p in papers]
        vectors = await asyncio.to_thread(embedder.encode, texts)
        rows_new = [
            {"paper_id": paper.id, "model": embedder.name, "dims": len(vector),
             "vector": np.asarray(vector, dtype=np.float32).tobytes(), "created_at": utcnow()}
            for paper, vector in zip(papers, vectors, strict=True)
        ]  # fmt: skip
        async with db.session() as session:  # another replica or task may have embedded some
            await insert_ignoring_duplicates(session, PaperEmbedding, rows_new)
        done += len(rows_new)
    return done
