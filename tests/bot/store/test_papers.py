"""Storing papers: one row per work across cross-lists, days and versions."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.models import Announcement, Paper
from bot.store.db import Database
from bot.store.papers import announced_between, find_paper, upsert_papers
from tests.factories import fetched_paper


async def test_cross_listed_paper_is_stored_once_with_all_categories(db: Database) -> None:
    copies = [
        fetched_paper(arxiv_id="2504.00001", categories=(cat,), primary_category="cs.CL")
        for cat in ("cs.CL", "cs.LG", "cs.AI", "stat.ML", "cs.IR")
    ]
    async with db.session() as s:
        stats = await upsert_papers(s, copies)
    async with db.session() as s:
        rows = list(await s.exec(select(Paper)))
    assert stats.new == 1
    assert len(rows) == 1
    assert rows[0].categories == ["cs.CL", "cs.LG", "cs.AI", "stat.ML", "cs.IR"]


async def test_same_paper_on_two_days_is_one_row_with_two_announcements(db: Database) -> None:
    first = fetched_paper(arxiv_id="2504.00002", announced_on=date(2025, 4, 28))
    later = fetched_paper(
        arxiv_id="2504.00002",
        announced_on=date(2025, 4, 29),
        announce_type="cross",
        categories=("cs.LG",),
    )
    async with db.session() as s:
        await upsert_papers(s, [first])
    async with db.session() as s:
        stats = await upsert_papers(s, [later])
        again = await upsert_papers(s, [later])
    async with db.session() as s:
        papers = list(await s.exec(select(Paper)))
        days = sorted(a.announced_on for a in await s.exec(select(Announcement)))
    assert (stats.new, stats.updated, stats.announcements) == (0, 1, 1)
    assert (again.new, again.updated, again.announcements) == (0, 0, 0)
    assert len(papers) == 1 and papers[0].categories == ["cs.CL", "cs.LG"]
    assert days == [date(2025, 4, 28), date(2025, 4, 29)]


async def test_new_version_updates_the_row(db: Database) -> None:
    v1 = fetched_paper(arxiv_id="2504.00003", title="Old title", version=1)
    v2 = fetched_paper(
        arxiv_id="2504.00003",
        title="New  <b>title</b> &amp; more",
        version=2,
        announced_on=date(2025, 5, 2),
        announce_type="replace",
    )
    async with db.session() as s:
        await upsert_papers(s, [v1])
    async with db.session() as s:
        await upsert_papers(s, [v2])
    async with db.session() as s:
        row = await find_paper(s, "2504.00003v1")
        window = await announced_between(s, date(2025, 5, 1), date(2025, 5, 3))
    assert row is not None
    assert row.version == 2
    assert row.title_raw == "New  <b>title</b> &amp; more"
    assert row.title == "New title & more"
    assert [(p.id, a.announce_type) for p, a in window] == [(row.id, "replace")]


async def test_older_version_does_not_overwrite_newer(db: Database) -> None:
    async with db.session() as s:
        await upsert_papers(s, [fetched_paper(arxiv_id="2504.00004", version=3, title="v3")])
        await upsert_papers(s, [fetched_paper(arxiv_id="2504.00004", version=1, title="v1")])
    async with db.session() as s:
        row = await find_paper(s, "arxiv:2504.00004")
    assert row is not None and (row.version, row.title) == (3, "v3")


async def test_find_paper_by_doi_url_or_arxiv_url(db: Database) -> None:
    async with db.session() as s:
        await upsert_papers(s, [fetched_paper(arxiv_id="2504.00005", doi="10.1101/2025.04.09.1")])
    async with db.session() as s:
        by_doi = await find_paper(s, "https://doi.org/10.1101/2025.04.09.1")
        by_url = await find_paper(s, "https://arxiv.org/abs/2504.00005v2")
        missing = await find_paper(s, "10.1101/0000.00.00.0")
    assert by_doi is not None and by_doi.arxiv_id == "2504.00005"
    assert by_url is not None and by_url.id == by_doi.id
    assert missing is None
