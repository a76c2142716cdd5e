"""Paper N means paper N of the channel's last digest as stored: after a scheduled digest, a
restart or on another replica, on Slack, Telegram and the console (issue 13)."""

from __future__ import annotations

from sqlmodel import select

from bot.app import App
from bot.models import Channel, Feedback, Paper
from bot.posts import PaperPost
from bot.review import REVIEW_NEEDS_LLM
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from jobs import deliver
from tests.adapters.slack.rig import CHANNEL, TEAM, slack_rig
from tests.adapters.telegram.rig import telegram_rig
from tests.adapters.telegram.updates import private_chat
from tests.botharness import bot_settings, make_testbot
from tests.fakes.http_server import FakeHttpServer
from tests.jobs.conftest import (
    MONDAY_8_BERLIN,
    QUANT_PH,
    PlatformRecorder,
    add_channel,
    delivery_for,
)

NO_PAPER = "There is no paper"


async def scheduled_digest(db: Database, app: App, channel: Channel) -> list[str]:
    """Run the delivery job for `channel` with a fixed clock; the titles it posted, in order."""
    async with db.session() as session:
        await upsert_papers(session, parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers)
    platform = PlatformRecorder()
    outcome = await deliver.run(
        db, delivery_for(app), {channel.platform: platform}, now=MONDAY_8_BERLIN
    )
    assert [o.status for o in outcome] == ["sent"]
    return [m.paper.title for m in platform.posts[channel.channel] if isinstance(m, PaperPost)]


async def voted_titles(db: Database) -> list[str]:
    async with db.session() as session:
        rows = await session.exec(
            select(Paper.title).join(Feedback, Feedback.paper_id == Paper.id)  # type: ignore[arg-type]
        )
        return list(rows.all())


async def test_console_numbers_survive_a_restart(db: Database) -> None:
    channel = await add_channel(db, "console", "cat:quant-ph entanglement",
                                platform="console", workspace="local")  # fmt: skip
    first = await make_testbot(db, bot_settings())
    titles = await scheduled_digest(db, first.app, channel)
    await first.app.http.aclose()
    restarted = await make_testbot(db, bot_settings())  # a new process on the same store
    try:
        answer = await restarted.exec_command(">1 what do they measure?")
        review = await restarted.exec_command("/review 1")
        liked = await restarted.exec_command("/like 2")
        missing = await restarted.exec_command(f">{len(titles) + 1} anything?")
    finally:
        await restarted.app.http.aclose()
    assert NO_PAPER not in answer and titles[0] in answer
    assert REVIEW_NEEDS_LLM in review  # paper 1 was found; only the LLM is missing
    assert titles[1] in liked and await voted_titles(db) == [titles[1]]
    assert f"It had papers 1–{len(titles)}." in missing


async def test_slack_numbers_after_a_scheduled_digest(
    db: Database, http_server: FakeHttpServer
) -> None:
    async with slack_rig(db, http_server) as rig:
        channel = await add_channel(db, CHANNEL, "cat:quant-ph entanglement",
                                    platform="slack", workspace=TEAM)  # fmt: skip
        titles = await scheduled_digest(db, rig.testbot.app, channel)
        for text in ("ask 1 what do they measure?", "review 1", "like 2"):
            await rig.command(text)
        await rig.adapter.drain()
        replies = [c.text for c in rig.api.calls if c.method.startswith("chat.post")]
    assert not [r for r in replies if NO_PAPER in r]
    assert any(titles[0] in r for r in replies) and any(REVIEW_NEEDS_LLM in r for r in replies)
    assert await voted_titles(db) == [titles[1]]


async def test_telegram_numbers_after_a_scheduled_digest(
    db: Database, http_server: FakeHttpServer
) -> None:
    chat = private_chat(555101)
    async with telegram_rig(db, http_server) as rig:
        channel = await add_channel(db, str(chat["id"]), "cat:quant-ph entanglement",
                                    platform="telegram", workspace="")  # fmt: skip
        titles = await scheduled_digest(db, rig.testbot.app, channel)
        answer = await rig.say(chat, ">1 what do they measure?")
        review = await rig.say(chat, "/review 1")
        liked = await rig.say(chat, "/like 2")
    texts = [m["text"] for m in answer + review + liked]
    assert not [t for t in texts if NO_PAPER in t]
    assert titles[0] in texts[0]  # the answer to `>1` names paper 1
    assert any(REVIEW_NEEDS_LLM in t for t in texts) and titles[1] in texts[-1]
    assert await voted_titles(db) == [titles[1]]
