"""The weekly briefing with an LLM: the impact tournament's top five, stored in the plan."""

from __future__ import annotations

from datetime import date

from bot.app import create_app
from bot.models import Topic
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from bot.summary.offline import OfflineSummarizer
from bot.weekly.model import Briefing
from bot.weekly.render import briefing_markdown
from bot.weekly.service import WeeklyService
from tests.bot.commands.test_impact import router
from tests.botharness import bot_settings
from tests.fakes.impact_judge import HiddenOrderJudge
from tests.fakes.openai_server import running_openai_server
from tests.jobs.conftest import QUANT_PH, add_channel
from tests.jobs.weekly_seed import seed_weeks


async def test_the_briefing_ranks_the_week_by_impact_and_keeps_it_in_its_plan(
    db: Database,
) -> None:
    async with running_openai_server() as fake:
        judge = HiddenOrderJudge([], noise=0.0)
        fake.script(router(judge))
        settings = bot_settings(llm_base_url=fake.base_url, llm_api_key="k", llm_model="m")
        app = await create_app(settings, db=db, summarizer=OfflineSummarizer())
        try:
            async with db.session() as session:
                await upsert_papers(session, parse_arxiv_feed(QUANT_PH.read_bytes(), "r").papers)
            channel = await add_channel(db, "lab", "cat:quant-ph", weekly_day="mon")
            await seed_weeks(db, channel.id or 0)
            topics = [Topic(channel_id=channel.id or 0, query="cat:quant-ph")]
            service = WeeklyService(db, app.summaries, app.digests.llm)
            briefing = await service.compose(channel, topics, date(2025, 5, 5))
        finally:
            await app.aclose()
    assert briefing is not None and len(briefing.impact) == 5
    titles = {t for pair in judge.pairs for t in pair}
    assert len(titles) == briefing.papers == 9, "every paper of the week met others"
    assert briefing.impact[0].title == min(titles, key=judge.place)
    assert briefing.cross is None, "one field this week: no cross-field section"
    assert Briefing.from_plan(briefing.to_plan()) == briefing
    text = briefing_markdown(briefing)
    assert "**Impact ranking**" in text and "opens a broader line of work" in text
