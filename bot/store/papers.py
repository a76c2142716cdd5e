"""Storing fetched papers once per work, and reading them back by key, id or date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Announcement, Paper, utcnow
from bot.sources.arxiv_ids import find_doi, parse_arxiv_id
from bot.sources.limits import bounded
from bot.sources.types import FetchedPaper
from bot.store.db import insert_new
from bot.text import display_text

CHUNK = 500
TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}


@dataclass(frozen=True)
class UpsertStats:
    """How a batch of fetched papers changed the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    announcements: int = 0


def merge_fetched(papers: Iterable[FetchedPaper]) -> dict[str, FetchedPaper]:
    """One entry per key: the newest version, with categories merged across cross-lists."""
    merged: dict[str, FetchedPaper] = {}
    for paper in papers:
        seen = merged.get(paper.key)
        if seen is None:
            merged[paper.key] = paper
            continue
        newer = paper if (paper.version or 0) > (seen.version or 0) else seen
        cats = tuple(dict.fromkeys((*seen.categories, *paper.categories)))
        kind = min((seen.announce_type, paper.announce_type), key=lambda t: TYPE_RANK.get(t, 9))
        merged[paper.key] = replace(newer, categories=cats, announce_type=kind)
    return merged


def _new_row(paper: FetchedPaper) -> Paper:
    return Paper(
        key=paper.key,
        source=paper.source,
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        doi=paper.doi,
        title=display_text(paper.title),
        title_raw=paper.title,
        abstract=display_text(paper.abstract),
        abstract_raw=paper.abstract,
        authors=[display_text(a) for a in paper.authors],
        categories=list(paper.categories),
        primary_category=paper.primary_category or (paper.categories or ("",))[0],
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        feed=paper.feed,
        first_announced_on=paper.announced_on,
        last_announced_on=paper.announced_on,
    )


def _update_row(row: Paper, paper: FetchedPaper) -> bool:
    """Fold a fetched paper into its stored row; True when anything changed."""
    before = (row.version, row.categories, row.last_announced_on, row.doi)
    cats = list(dict.fromkeys((*row.categories, *paper.categories)))
    if (paper.version or 0) > (row.version or 0):
        fresh = _new_row(paper)
        for name in ("version", "title", "title_raw", "abstract", "abstract_raw", "authors"):
            setattr(row, name, getattr(fresh, name))
        row.abs_url, row.pdf_url = fresh.abs_url, fresh.pdf_url
    row.categories = cats
    row.doi = row.doi or paper.doi
    row.last_announced_on = max(row.last_announced_on, paper.announced_on)
    row.first_announced_on = min(row.first_announced_on, paper.announced_on)
    changed = before != (row.version, row.categories, row.last_announced_on, row.doi)
    if changed:
        row.updated_at = utcnow()
    return changed


async def papers_by_key(session: AsyncSession, keys: Sequence[str]) -> dict[str, Paper]:
    """Stored papers for these keys."""
    found: dict[str, Paper] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        rows = await session.exec(select(Paper).where(col(Paper.key).in_(chunk)))
        found.update({row.key: row for row in rows})
    return found


async def upsert_papers(
    session: AsyncSession, fetched: Iterable[FetchedPaper], seen_at: datetime | None = None
) -> UpsertStats:
    """Store each work once; a new version updates its row; record the day's announcement.

    A new row's `created_at` is when the paper was first seen (`seen_at`, default now): a
    digest takes the papers first seen since the channel's previous digest. New works are
    inserted with `ON CONFLICT DO NOTHING` and read back, so two fetches of the same feed at
    once (two channels' `digest now`, two replicas) never collide on a key.
    """
    merged = merge_fetched(bounded(p) for p in fetched)  # titles and abstracts capped
    existing, inserted = await insert_missing(session, merged, seen_at or utcnow())
    updated = 0
    for key, paper in merged.items():
        row = existing[key]
        if key not in inserted and _update_row(row, paper):
            session.add(row)
            updated += 1
    await session.flush()
    added = await _record_announcements(session, merged, existing)
    new = len(inserted)
    return UpsertStats(new, updated, len(merged) - new - updated, added)


async def insert_missing(
    session: AsyncSession, papers: Mapping[str, FetchedPaper], seen: datetime
) -> tuple[dict[str, Paper], set[str]]:
    """The stored row of each paper (by key), inserting those not stored yet first seen at
    `seen` (ON CONFLICT DO NOTHING: a concurrent writer may win); and the keys inserted here."""
    existing = await papers_by_key(session, list(papers))
    fresh = [key for key in papers if key not in existing]
    rows = [
        _new_row(papers[key]).model_dump(exclude={"id"}) | {"created_at": seen, "updated_at": seen}
        for key in fresh
    ]
    inserted = await insert_new(session, Paper, rows, "key") if rows else set()
    if fresh:
        existing.update(await papers_by_key(session, fresh))
    return existing, inserted


async def _record_announcements(
    session: AsyncSession, merged: dict[str, FetchedPaper], rows: dict[str, Paper]
) -> int:
    ids = [rows[k].id for k in merged]
    seen: set[tuple[int, date]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(Announcement.paper_id, Announcement.announced_on).where(
            col(Announcement.paper_id).in_(chunk)
        )
        seen.update((pid, day) for pid, day in await session.exec(query))
    new_rows = []
    for key, paper in merged.items():
        pid = rows[key].id
        assert pid is not None
        if (pid, paper.announced_on) in seen:
            continue
        new_rows.append(
            {"paper_id": pid, "announced_on": paper.announced_on,
             "announce_type": paper.announce_type, "version": paper.version}
        )  # fmt: skip
    added = await insert_new(session, Announcement, new_rows, "id") if new_rows else set()
    return len(added)


async def announced_between(
    session: AsyncSession, first: date, last: date
) -> list[tuple[Paper, Announcement]]:
    """Papers announced in [first, last], with their newest announcement in that window."""
    query = (
        select(Paper, Announcement)
        .join(Announcement, col(Announcement.paper_id) == col(Paper.id))
        .where(col(Announcement.announced_on) >= first, col(Announcement.announced_on) <= last)
        .order_by(col(Announcement.announced_on))
    )
    newest: dict[int, tuple[Paper, Announcement]] = {}
    for paper, announcement in await session.exec(query):
        assert paper.id is not None
        newest[paper.id] = (paper, announcement)
    return list(newest.values())


async def latest_announcement_date(
    session: AsyncSession,
    on_or_before: date | None = None,
    *,
    arxiv: bool | None = None,
) -> date | None:
    """The most recent announcement date in the store (optionally not after a date, and only
    of arXiv papers (`arxiv=True`) or only of the others (`arxiv=False`))."""
    query = select(func.max(Announcement.announced_on))
    if on_or_before is not None:
        query = query.where(col(Announcement.announced_on) <= on_or_before)
    if arxiv is not None:
        query = query.join(Paper, col(Paper.id) == col(Announcement.paper_id))
        source = col(Paper.source)
        query = query.where(source == "arxiv" if arxiv else source != "arxiv")
    return (await session.exec(query)).one()


async def find_paper(session: AsyncSession, reference: str) -> Paper | None:
    """A stored paper by key, arXiv id (any version) or DOI."""
    ref = reference.strip()
    arxiv = parse_arxiv_id(ref)
    candidates = [(Paper.key, ref)]
    if arxiv is not None:
        candidates.append((Paper.arxiv_id, arxiv[0]))
    doi = find_doi(ref)
    if doi is not None:
        candidates.append((Paper.doi, doi))
    for column, value in candidates:
        row = (await session.exec(select(Paper).where(col(column) == value))).first()
        if row is not None:
            return row
    return None
