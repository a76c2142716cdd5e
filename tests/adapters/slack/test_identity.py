"""Only the installed workspace is served; buttons count only on papers posted in that channel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.models import Channel, Feedback, Topic
from bot.store.db import Database
from tests.adapters.slack.rig import CHANNEL, TEAM, USER, SlackRig, slack_rig
from tests.adapters.slack.test_app import subscribe_and_post_digest
from tests.fakes.http_server import FakeHttpServer

FOREIGN = "T999"


@pytest.fixture
async def rig(db: Database, http_server: FakeHttpServer) -> AsyncIterator[SlackRig]:
    async with slack_rig(db, http_server) as started:
        yield started


async def rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list(await session.exec(select(model)))


async def test_a_foreign_workspace_creates_nothing(rig: SlackRig, db: Database) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D999", "user": "U999",
          "text": "subscribe cat:cs.CL agents", "ts": "1700000000.000100"}  # fmt: skip
    assert (await rig.event(dm, "Ev999", team=FOREIGN)).status == 200
    assert (await rig.command("subscribe cat:cs.CL agents", team=FOREIGN)).status == 200
    await rig.adapter.drain()
    assert await rows(db, Channel) == [] and await rows(db, Topic) == []
    assert rig.api.calls_to("chat.postMessage") == []


async def test_a_foreign_like_makes_no_second_channel(rig: SlackRig, db: Database) -> None:
    papers = await subscribe_and_post_digest(rig)
    post = papers[0]
    key = post.blocks[-1]["elements"][0]["value"]
    assert post.ts is not None
    await rig.press("like", key, post.ts, team=FOREIGN)
    await rig.adapter.drain()
    channels = await rows(db, Channel)
    assert [(c.workspace, c.channel) for c in channels] == [(TEAM, CHANNEL)]
    assert await rows(db, Feedback) == []


async def test_a_vote_in_a_channel_the_bot_never_was_in_is_refused(
    rig: SlackRig, db: Database
) -> None:
    papers = await subscribe_and_post_digest(rig)
    key = papers[0].blocks[-1]["elements"][0]["value"]
    await rig.press("like", key, "1700000000.000200", channel="C777")
    await rig.adapter.drain()
    assert [c.channel for c in await rows(db, Channel)] == [CHANNEL]
    assert await rows(db, Feedback) == []
    await rig.press("like", key, papers[0].ts or "")  # the real post still counts
    await rig.adapter.drain()
    assert [(f.user, f.value) for f in await rows(db, Feedback)] == [(USER, 1)]
