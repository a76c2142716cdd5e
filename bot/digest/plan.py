"""A delivery's plan: the papers a digest will show, stored before anything is posted.

A resumed delivery reads the plan back, so it posts the same digest whichever replica resumes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.digest.build import Selected
from bot.digest.service import Selection
from bot.models import Announcement, Delivery, Paper
from bot.store.bulk import clear_positions
from bot.store.db import Database
from bot.store.positions import numbered


def selection_plan(selection: Selection, chosen_at: datetime) -> dict[str, Any]:
    """The JSON plan of a selection; `chosen_at` starts the next digest's window."""
    return {
        "selected_at": chosen_at.isoformat(),
        "matched": selection.matched,
        "corpus_size": selection.corpus_size,
        "papers": [
            [s.paper.id, s.relevance, s.announcement.id, s.reason] for s in selection.selected
        ],
    }


async def save_plan(db: Database, delivery: Delivery, plan: dict[str, Any]) -> None:
    """Store the delivery's plan (and keep it on the object)."""
    async with db.session() as session:
        row = await session.get(Delivery, delivery.id)
        assert row is not None
        row.plan = plan
        session.add(row)
    delivery.plan = plan


async def save_positions(db: Database, delivery: Delivery, papers: dict[int, int]) -> None:
    """Number the digest's papers (position → paper id) in its delivery row, replacing a
    preview's numbers: "paper N" means this digest's paper N from now on."""
    plan = {**(delivery.plan or {}), "positions": numbered(papers)}
    async with db.session() as session:
        await clear_positions(session, [delivery.channel_id])
    await save_plan(db, delivery, plan)


async def stored_selection(db: Database, plan: dict[str, Any]) -> Selection:
    """A stored plan as a Selection: the same papers, in the same order."""
    entries: list[Any] = plan.get("papers", [])
    async with db.session() as session:
        papers = await _rows(session, Paper, [e[0] for e in entries])
        announcements = await _rows(session, Announcement, [e[2] for e in entries])
    selected = [
        Selected(papers[pid], announcements[aid], score, str(rest[0]) if rest else "")
        for pid, score, aid, *rest in entries
        if pid in papers and aid in announcements
    ]
    return Selection(selected, int(plan.get("matched", 0)), int(plan.get("corpus_size", 0)))


async def _rows(session: Any, model: Any, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = await session.exec(select(model).where(col(model.id).in_(ids)))
    return {row.id: row for row in rows}
