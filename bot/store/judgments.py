"""Cached impact judgments: one row per (pair in order, model, prompt version), shared."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import ImpactJudgment, utcnow
from bot.store.db import insert_ignoring_duplicates


async def cached_judgment(
    session: AsyncSession, first: int, second: int, model: str, version: str
) -> tuple[bool, str] | None:
    """(first_wins, reason) stored for this ordered pair, model and prompt version."""
    statement = select(ImpactJudgment.first_wins, ImpactJudgment.reason).where(
        ImpactJudgment.first_paper_id == first,
        ImpactJudgment.second_paper_id == second,
        ImpactJudgment.model == model,
        ImpactJudgment.prompt_version == version,
    )
    row = (await session.exec(statement)).first()
    return (bool(row[0]), str(row[1])) if row is not None else None


async def store_judgment(
    session: AsyncSession,
    first: int,
    second: int,
    model: str,
    version: str,
    verdict: tuple[bool, str],
) -> None:
    """Save a judgment; one another replica saved first is kept as is."""
    row = {
        "first_paper_id": first, "second_paper_id": second, "model": model,
        "prompt_version": version, "first_wins": verdict[0], "reason": verdict[1],
        "created_at": utcnow(),
    }  # fmt: skip
    await insert_ignoring_duplicates(session, ImpactJudgment, [row])
