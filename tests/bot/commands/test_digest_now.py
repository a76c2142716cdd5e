"""`digest now` and `sources` on recorded feeds whose dates say more than their items: an
arXiv day without a mailing, and a journal feed that stopped publishing years ago."""

from __future__ import annotations

from datetime import date

from paperbot.status import status_table
from tests.botharness import TestBot
from tests.jobs.daily import QUANT_PH, SCIENCE, World, at, blocks, moved, read, without, world

__all__ = ["world"]  # the fixture
FRIDAY = date(2025, 6, 6)
SATURDAY = date(2025, 6, 7)


async def test_on_a_day_without_an_arxiv_mailing_digest_now_says_so(world: World) -> None:
    bot = TestBot(world.app)
    friday = moved(read(QUANT_PH), (FRIDAY - date(2025, 4, 28)).days)
    world.serve("rss/quant-ph", friday)
    world.now = at(FRIDAY, 9)
    await bot.exec_command("/subscribe cat:quant-ph")
    await bot.exec_command("/size 50")  # Friday's digest shows every match
    assert "Papers for 2025-06-06" in await bot.exec_command("/digest now")
    saturday = moved(read(QUANT_PH), (SATURDAY - date(2025, 4, 28)).days)
    world.serve("rss/quant-ph", without(saturday, blocks(saturday)))  # arXiv's empty feed
    world.now = at(SATURDAY, 9)
    reply = await bot.exec_command("/digest now")
    assert "arXiv has no mailing today (Saturday, 2025-06-07)" in reply
    assert "matched" not in reply


async def test_a_feed_that_stopped_publishing_is_explained_once_not_shown_as_news(
    world: World,
) -> None:
    bot = TestBot(world.app)
    world.serve("science.xml", read(SCIENCE))  # the recorded feed: its newest item is 2017-06-15
    world.now = at(date(2025, 6, 3), 9)
    await bot.exec_command(f"/subscribe feed:{world.url('science.xml')}")
    first = await bot.exec_command("/digest now")
    second = await bot.exec_command("/digest now")
    for reply in (first, second):
        assert "Papers for" not in reply and "new paper" not in reply
        assert "this feed has not published since 2017-06-15." in reply
    sources = await bot.exec_command("/sources")
    assert sources.count("this feed has not published since 2017-06-15.") == 1
    status = await status_table(world.app.db, world.now)
    assert status.count("has not published since 2017-06-15") == 1
