"""Candidates from the full-text index: a topic query's positive words and phrases as FTS syntax.

The index only narrows: a query becomes an FTS expression over its positive text terms
(words and phrases, in title/abstract/authors as their field says), joined as the query
joins them; negations and metadata filters (`cat:`, `source:`, …) are left to the exact
evaluation that follows, so the index may return extra papers but never misses a match of
a term-bearing query (of one with more matches than asked for, the most recent are given:
FTS5's newest rowids first, Postgres's newest announcement weeks first, `bot.search.weeks`).
Tokens are folded but not stemmed here: each index stems them itself (FTS5's porter
tokenizer, Postgres's `english` configuration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.query.ast import Filter, Node, Not, Or, Term
from bot.query.terms import raw_tokens
from bot.search.weeks import postgres_candidates, select_ids

SQLITE_COLUMNS = {"any": "{title abstract}", "title": "title", "abs": "abstract",
                  "author": "authors"}  # fmt: skip
POSTGRES_WEIGHTS = {"any": "AB", "title": "A", "abs": "B", "author": "C"}


@dataclass(frozen=True)
class Phrase:
    """Consecutive tokens in one field ("any", "title", "abs" or "author")."""

    field: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class AllOf:
    """Every part must match."""

    parts: tuple[FtsNode, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part must match."""

    parts: tuple[FtsNode, ...]


FtsNode = Phrase | AllOf | AnyOf


def fts_expression(node: Node) -> FtsNode | None:
    """The index expression a query's matches must satisfy; None when it cannot narrow."""
    if isinstance(node, Term):
        tokens = tuple(raw_tokens(node.text))
        return Phrase(node.field, tokens) if tokens else None
    if isinstance(node, Filter | Not):
        return None
    parts = [fts_expression(child) for child in node.children]
    if isinstance(node, Or):
        if any(part is None for part in parts):
            return None
        return AnyOf(tuple(p for p in parts if p is not None))
    kept = tuple(p for p in parts if p is not None)
    return (kept[0] if len(kept) == 1 else AllOf(kept)) if kept else None


def to_fts5(expr: FtsNode) -> str:
    """SQLite FTS5 MATCH syntax (tokens are letters and digits only, always quoted)."""
    if isinstance(expr, Phrase):
        return f'{SQLITE_COLUMNS[expr.field]} : "{" ".join(expr.tokens)}"'
    joiner = " AND " if isinstance(expr, AllOf) else " OR "
    return "(" + joiner.join(to_fts5(part) for part in expr.parts) + ")"


def to_tsquery(expr: FtsNode) -> str:
    """Postgres `to_tsquery` syntax, each token restricted to its field's weights."""
    if isinstance(expr, Phrase):
        weight = POSTGRES_WEIGHTS[expr.field]
        return "(" + " <-> ".join(f"'{token}':{weight}" for token in expr.tokens) + ")"
    joiner = " & " if isinstance(expr, AllOf) else " | "
    return "(" + joiner.join(to_tsquery(part) for part in expr.parts) + ")"


async def candidate_ids(
    session: AsyncSession,
    expr: FtsNode | None,
    since: date | None,
    limit: int,
    today: date | None = None,
) -> list[int]:
    """Up to `limit` ids of the most recent papers matching `expr` (all of them when fewer)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if expr is None:
        return await _newest(session, since, limit, dialect)
    if dialect == "postgresql":
        return await postgres_candidates(session, to_tsquery(expr), since, limit, today)
    return await _sqlite_candidates(session, to_fts5(expr), since, limit)


async def _newest(session: AsyncSession, since: date | None, limit: int, dialect: str) -> list[int]:
    """A query with no words to look for: the newest papers (the exact match filters them)."""
    cutoff = since or date.min
    return await select_ids(
        session,
        "SELECT id FROM papers WHERE last_announced_on >= :since "
        "ORDER BY last_announced_on DESC, id DESC LIMIT :limit",
        since=cutoff if dialect == "postgresql" else cutoff.isoformat(),
        limit=limit,
    )


async def _sqlite_candidates(
    session: AsyncSession, query: str, since: date | None, limit: int
) -> list[int]:
    """FTS5 walks its doclists newest (highest rowid) first and stops at `limit`."""
    if since is None:
        sql = ("SELECT rowid FROM papers_fts WHERE papers_fts MATCH :q "
               "ORDER BY rowid DESC LIMIT :limit")  # fmt: skip
        return await select_ids(session, sql, q=query, limit=limit)
    sql = (
        "SELECT p.id FROM papers_fts JOIN papers AS p ON p.id = papers_fts.rowid "
        "WHERE papers_fts MATCH :q AND p.last_announced_on >= :since "
        "ORDER BY papers_fts.rowid DESC LIMIT :limit"
    )
    return await select_ids(session, sql, q=query, since=since.isoformat(), limit=limit)
