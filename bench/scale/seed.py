"""Storing the past a benchmark day needs before the clock starts: digests, deliveries, votes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from bot.models import (
    DeliveredPaper,
    Delivery,
    Feedback,
    utcnow,
)
from bot.store.db import Database, insert_ignoring_duplicates

CHUNK = 1_000


async def seed_history(
    db: Database, channels: Sequence[int], paper_ids: list[int], on: date, seed: int = 3
) -> None:
    """Some past life: yesterday's digests, papers already delivered, and 👍/👎 votes."""
    rng = random.Random(seed)
    deliveries, delivered, votes = [], [], []
    for channel_id in channels:
        if rng.random() < 0.3:
            deliveries.append({"channel_id": channel_id, "digest_date": on - timedelta(days=1),
                               "status": "sent", "claimed_by": "bench", "claimed_at": utcnow(),
                               "papers": 5})  # fmt: skip
        if rng.random() < 0.1:
            for pid in rng.sample(paper_ids, k=min(5, len(paper_ids))):
                delivered.append({"channel_id": channel_id, "paper_id": pid, "version": 1,
                                  "position": 0, "sent_at": utcnow()})  # fmt: skip
        if rng.random() < 0.05:
            for pid in rng.sample(paper_ids, k=min(3, len(paper_ids))):
                votes.append({"channel_id": channel_id, "paper_id": pid, "user": "u",
                              "value": rng.choice((1, -1)), "created_at": utcnow()})  # fmt: skip
    for table, rows in ((Delivery, deliveries), (DeliveredPaper, delivered), (Feedback, votes)):
        for start in range(0, len(rows), CHUNK):
            async with db.session() as session:
                await insert_ignoring_duplicates(session, table, rows[start : start + CHUNK])
