"""Postgres candidates, most recent first: the query's matches week ring by week ring.

Ranking every match of a frequent query (tens of thousands of rows, each tsvector read from
TOAST) costs seconds, so search looks at the newest matches first: the announcement weeks
of the last 1, 4, 13 and 52 weeks, then everything older, each ring asked only for what is
still missing (once the matches so far are sparse, all the rest in one go). The week is a
lexeme of `fts_vector` (migration 0008), so a narrow ring is one GIN lookup and only its
heap rows are read, until the limit is reached; that is what keeps a frequent query cheap.
A wider ring is reached only by a query with few recent matches, and there an OR of dozens
of week lexemes would cost more in the index than a date filter on the query's own matches.
The digest scorer then ranks the candidates; a query with fewer matches than the limit gets
all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

EPOCH = date(1900, 1, 1)  # a Monday; the migration counts weeks from it
RINGS = (1, 4, 13, 52)  # weeks back from the current one
LEXEME_WEEKS = 4  # rings this narrow are looked up by week lexemes, wider ones by date


def week_of(day: date) -> int:
    """Whole weeks since EPOCH: the number in the '~w<n>' lexeme of a paper's week."""
    return (day - EPOCH).days // 7


def week_start(week: int) -> date:
    """The Monday that starts a week number."""
    return EPOCH + timedelta(weeks=week)


@dataclass(frozen=True)
class Ring:
    """Weeks [first, last] of announcements to look in, or every older week when `older`."""

    first: int
    last: int
    older: bool = False

    def tsquery(self) -> str:
        """The ring's weeks as a tsquery OR of their lexemes (for narrow rings)."""
        return " | ".join(f"'~w{week}'" for week in range(self.first, self.last + 1))


def rings(today: date, since: date | None) -> Iterator[Ring]:
    """The rings from newest to oldest, none entirely before `since`."""
    current, newest = week_of(today), week_of(today) + 1  # one week ahead for clock skew
    floor = week_of(since) if since else None
    for back_from, back_to in zip((0, *RINGS), RINGS, strict=False):
        ring = Ring(current - back_to + 1, newest if back_from == 0 else current - back_from)
        if floor is not None and ring.last < floor:
            return
        yield ring
    yield Ring(current - RINGS[-1] + 1, newest, older=True)


async def postgres_candidates(
    session: AsyncSession, query: str, since: date | None, limit: int, today: date | None
) -> list[int]:
    """Up to `limit` ids matching the tsquery `query`, the most recently announced first."""
    found: list[int] = []
    day = today or date.today()
    newest = week_of(day) + 1
    for ring in rings(day, since):
        found += await _ring_ids(session, query, ring, since, limit - len(found))
        if len(found) >= limit or ring.older:
            break
        if sparse(len(found), newest - ring.first + 1, limit):  # the rest in one lookup
            rest = Ring(ring.first, newest, older=True)
            found += await _ring_ids(session, query, rest, since, limit - len(found))
            break
    return found


def sparse(found: int, weeks: int, limit: int) -> bool:
    """Whether matches at this rate would stay well under `limit` over a whole year."""
    return found * RINGS[-1] < weeks * limit // 2


async def _ring_ids(
    session: AsyncSession, query: str, ring: Ring, since: date | None, limit: int
) -> list[int]:
    params: dict[str, object] = {"q": query, "limit": limit}
    where = "fts_vector @@ to_tsquery('english', :q)"
    if not ring.older and ring.last - ring.first < LEXEME_WEEKS:
        where = "fts_vector @@ (to_tsquery('english', :q) && CAST(:weeks AS tsquery))"
        params["weeks"] = ring.tsquery()
    else:  # a wide ring or the rest: a date filter on the query's own matches
        inside = "last_announced_on >= :start AND last_announced_on < :end"
        where += f" AND NOT ({inside})" if ring.older else f" AND {inside}"
        params |= {"start": week_start(ring.first), "end": week_start(ring.last + 1)}
    if since is not None:
        where += " AND last_announced_on >= :since"
        params["since"] = since
    return await select_ids(session, f"SELECT id FROM papers WHERE {where} LIMIT :limit", **params)


async def select_ids(session: AsyncSession, sql: str, **params: object) -> list[int]:
    """The paper ids (first column) a SQL query returns."""
    rows = await session.exec(text(sql).bindparams(**params))  # type: ignore[call-overload]
    return [int(row[0]) for row in rows]
