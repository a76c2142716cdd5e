"""LLM token accounting: one row per UTC day, model and purpose, added to atomically.

The daily budget has its own ledger, one row per UTC day (`llm_budget`): the tokens spent
plus the tokens reserved by calls in flight. A call reserves its estimate before it is sent,
with one conditional `UPDATE` (granted while the day's total is under the budget, so the
ledger ends at most one call's reservation over it), and settles with the real usage after.
Concurrent calls and replicas therefore share one budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import LlmBudgetDay, LlmUsage, utcnow
from bot.store.db import Database, dialect_insert


@dataclass(frozen=True)
class DailyUsage:
    """One day's LLM use, summed over models and purposes."""

    day: date
    calls: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


async def record_usage(
    session: AsyncSession,
    *,
    day: date,
    model: str,
    purpose: str,
    prompt_tokens: int,
    completion_tokens: int,
    calls: int = 1,
) -> None:
    """Add one call's tokens to the day's row (an upsert, safe between replicas)."""
    insert = dialect_insert(session)
    statement = insert(LlmUsage).values(
        day=day,
        model=model,
        purpose=purpose,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        calls=calls,
        created_at=utcnow(),
    )
    table = LlmUsage.__table__  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["day", "model", "purpose"],
        set_={
            "prompt_tokens": table.c.prompt_tokens + statement.excluded.prompt_tokens,
            "completion_tokens": table.c.completion_tokens + statement.excluded.completion_tokens,
            "calls": table.c.calls + statement.excluded.calls,
        },
    )
    await session.exec(statement)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Reservation:
    """Tokens set aside for one LLM call on a day, until the call settles them."""

    day: date
    tokens: int


async def _ensure_budget_day(session: AsyncSession, day: date) -> None:
    """The day's ledger row, created from the usage already recorded that day if missing."""
    insert = dialect_insert(session)
    spent = select(func.coalesce(func.sum(LlmUsage.prompt_tokens + LlmUsage.completion_tokens), 0))
    statement = insert(LlmBudgetDay).values(
        day=day, tokens=spent.where(LlmUsage.day == day).scalar_subquery()
    )
    await session.exec(statement.on_conflict_do_nothing())  # type: ignore[call-overload]


async def add_budget_tokens(session: AsyncSession, day: date, tokens: int) -> None:
    """Add (or, negative, take back) tokens on the day's budget ledger."""
    await _ensure_budget_day(session, day)
    column = col(LlmBudgetDay.tokens)
    await session.exec(  # type: ignore[call-overload]
        update(LlmBudgetDay).where(col(LlmBudgetDay.day) == day).values(tokens=column + tokens)
    )


async def reserve_tokens(session: AsyncSession, day: date, tokens: int, budget: int) -> bool:
    """Set `tokens` aside on the day's ledger if it is still under `budget`; True if granted."""
    await _ensure_budget_day(session, day)
    column = col(LlmBudgetDay.tokens)
    result = await session.exec(  # type: ignore[call-overload]
        update(LlmBudgetDay)
        .where(col(LlmBudgetDay.day) == day, column < budget)
        .values(tokens=column + tokens)
    )
    return bool(result.rowcount == 1)


async def budget_tokens_on(session: AsyncSession, day: date) -> int:
    """The day's ledger: tokens spent plus reserved (the usage recorded, if no ledger yet)."""
    row = await session.get(LlmBudgetDay, day, populate_existing=True)
    return row.tokens if row is not None else await tokens_used_on(session, day)


async def tokens_used_on(session: AsyncSession, day: date) -> int:
    """All tokens (prompt + completion, every model and purpose) spent on `day`."""
    total = func.coalesce(func.sum(LlmUsage.prompt_tokens + LlmUsage.completion_tokens), 0)
    result = await session.exec(select(total).where(LlmUsage.day == day))
    return int(result.one())


async def usage_by_day(session: AsyncSession, limit: int = 30) -> list[DailyUsage]:
    """The last `limit` days with any use, newest first, summed per day."""
    statement = (
        select(
            LlmUsage.day,
            func.sum(LlmUsage.calls),
            func.sum(LlmUsage.prompt_tokens),
            func.sum(LlmUsage.completion_tokens),
        )
        .group_by(col(LlmUsage.day))
        .order_by(col(LlmUsage.day).desc())
        .limit(limit)
    )
    rows = await session.exec(statement)
    return [DailyUsage(day, int(c), int(p), int(o)) for day, c, p, o in rows]


class UsageRecorder:
    """Records LLM token use in the database and answers today's total (UTC day)."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def today(self) -> date:
        """The current UTC day, by the injected clock."""
        return self._clock().astimezone(UTC).date()

    async def record(
        self, *, model: str, purpose: str, prompt_tokens: int, completion_tokens: int
    ) -> None:
        """Add one call's tokens to today's row (and to today's budget ledger)."""
        day = self.today()
        async with self._db.session() as session:
            await add_budget_tokens(session, day, prompt_tokens + completion_tokens)
            await record_usage(
                session,
                day=day,
                model=model,
                purpose=purpose,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )

    async def reserve(self, tokens: int, budget: int) -> Reservation | None:
        """Set `tokens` aside for a call while today's ledger is under `budget`; None if spent."""
        day = self.today()
        async with self._db.session() as session:
            granted = await reserve_tokens(session, day, tokens, budget)
        return Reservation(day, tokens) if granted else None

    async def settle(
        self,
        reservation: Reservation,
        *,
        model: str,
        purpose: str,
        prompt_tokens: int,
        completion_tokens: int,
    ) -> None:
        """Replace a call's reservation by the tokens it really used (zero if it failed)."""
        day = self.today()
        async with self._db.session() as session:
            await add_budget_tokens(session, reservation.day, -reservation.tokens)
            await add_budget_tokens(session, day, prompt_tokens + completion_tokens)
            if prompt_tokens or completion_tokens:
                await record_usage(
                    session, day=day, model=model, purpose=purpose,
                    prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                )  # fmt: skip

    async def tokens_today(self) -> int:
        """Tokens spent (and reserved by calls in flight) so far today."""
        async with self._db.session() as session:
            return await budget_tokens_on(session, self.today())


@dataclass(frozen=True)
class PurposeUsage:
    """One purpose's LLM use with one model over a span of days."""

    purpose: str
    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int


async def usage_by_purpose(session: AsyncSession, first: date, last: date) -> list[PurposeUsage]:
    """Calls and tokens per (purpose, model) on the days [first, last], busiest first."""
    statement = (
        select(
            LlmUsage.purpose,
            LlmUsage.model,
            func.sum(LlmUsage.calls),
            func.sum(LlmUsage.prompt_tokens),
            func.sum(LlmUsage.completion_tokens),
        )
        .where(col(LlmUsage.day) >= first, col(LlmUsage.day) <= last)
        .group_by(col(LlmUsage.purpose), col(LlmUsage.model))
    )
    rows = [
        PurposeUsage(p, m, int(c), int(i), int(o))
        for p, m, c, i, o in await session.exec(statement)
    ]
    return sorted(
        rows, key=lambda r: (-(r.prompt_tokens + r.completion_tokens), r.purpose, r.model)
    )
