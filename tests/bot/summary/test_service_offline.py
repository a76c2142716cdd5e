"""The offline summarizer's text does not depend on the language: one run per paper."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import select

from bot.config import Settings
from bot.digest.service import DigestService
from bot.models import Channel, SummaryRecord, Topic
from bot.store.db import Database
from bot.store.papers import upsert_papers
from bot.summary.offline import OfflineSummarizer
from bot.summary.service import NEUTRAL, SummaryService
from bot.summary.types import PaperText, Summary
from tests.bot.summary.test_service_batching import stored_papers
from tests.factories import digests_in_bulk, fetched_paper


class CountingOffline(OfflineSummarizer):
    """The offline summarizer, counting the papers it summarizes."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        self.runs.append(paper.key)
        await asyncio.sleep(0)  # let concurrent callers ask for the same paper meanwhile
        return await super().summarize(paper, language)


async def test_concurrent_languages_share_one_summary_per_paper(db: Database) -> None:
    papers = await stored_papers(db, 3)
    offline = CountingOffline()
    service = SummaryService(db, offline)
    made = await asyncio.gather(
        *(service.summaries(papers, language) for language in ("en", "zh", "ja", "en"))
    )
    assert sorted(offline.runs) == sorted(p.key for p in papers)
    assert [{s.language for s in m.values()} for m in made] == [{"en"}, {"zh"}, {"ja"}, {"en"}]
    assert made[0][papers[0].id or 0].tldr == made[1][papers[0].id or 0].tldr
    async with db.session() as session:
        rows = (await session.exec(select(SummaryRecord))).all()
    assert sorted((r.paper_id, r.language) for r in rows) == [(p.id, NEUTRAL) for p in papers]
    again = await service.summaries(papers, "de")
    assert len(offline.runs) == 3 and {s.language for s in again.values()} == {"de"}


async def test_cold_cache_compose_makes_one_offline_summary_per_paper(db: Database) -> None:
    day = date(2025, 4, 28)
    async with db.session() as session:
        await upsert_papers(session, [fetched_paper(announced_on=day) for _ in range(6)])
        channels = []
        for n, language in enumerate(("en", "zh", "en", "ja")):
            channel = Channel(platform="test", channel=f"c{n}", language=language)
            session.add(channel)
            await session.flush()
            topic = Topic(channel_id=channel.id or 0, query="cat:cs.CL")
            session.add(topic)
            channels.append((channel, [topic]))
    offline = CountingOffline()
    settings = Settings(_env_file=None)
    digests = DigestService(db, None, SummaryService(db, offline), settings)  # type: ignore[arg-type]
    composed = await digests_in_bulk(digests, channels, day)
    assert all(len(d.papers) == 6 for d in composed)
    assert len(offline.runs) == 6  # not 6 per language
