"""A delivery cut off right after Slack accepted a post resumes without posting it again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from adapters.slack.app import make_client
from adapters.slack.sender import ChannelPacer, SlackSender
from bot.app import App
from bot.messages import Conversation
from bot.posts import Reply
from bot.store.db import Database
from jobs import deliver
from tests.adapters.slack.rig import slack_settings
from tests.fakes.slack_api import FakeSlackApi
from tests.jobs.conftest import MONDAY_8_BERLIN, add_channel, delivery_for
from tests.jobs.conftest import app as app  # the store with the recorded quant-ph day


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    fake = await FakeSlackApi().start()
    try:
        yield fake
    finally:
        await fake.stop()


def sender_for(fake: FakeSlackApi) -> SlackSender:
    return SlackSender(make_client(slack_settings(fake.url)), ChannelPacer(None))


async def test_marker_is_sent_as_metadata_and_found_in_history(slack: FakeSlackApi) -> None:
    sender = sender_for(slack)
    convo = Conversation("slack", "C1", "T1")
    message = Reply(convo, "hello", marker="paperbot:7:42")
    ts = await sender.send(message)
    assert sender.pending_note(message, ts) == ""  # the marker travels in the metadata
    assert await sender.find_posted(message, "") == ts
    assert await sender.find_posted(replace(message, marker="paperbot:7:43"), "") is None


@pytest.mark.parametrize("accepted", [2, 4, 7])
async def test_cut_after_an_accepted_post_resumes_without_doubles(
    app: App, db: Database, slack: FakeSlackApi, accepted: int
) -> None:
    await add_channel(db, "C0LAB", "cat:quant-ph entanglement", platform="slack")
    sender = sender_for(slack)
    first = asyncio.create_task(
        deliver.run(db, delivery_for(app), {"slack": sender}, now=MONDAY_8_BERLIN)
    )
    await slack.wait_until(lambda: len(slack.calls_to("chat.postMessage")) >= accepted)
    first.cancel()  # the process dies as Slack's answer is on its way
    with pytest.raises(asyncio.CancelledError):
        await first
    outcome = await deliver.run(db, delivery_for(app), {"slack": sender}, now=MONDAY_8_BERLIN)
    assert [o.status for o in outcome] == ["sent"]
    posts = slack.calls_to("chat.postMessage")
    markers = [p.args["metadata"]["event_payload"]["marker"] for p in posts]
    assert len(posts) == 11 == len(set(markers))  # the header and ten papers, each once
