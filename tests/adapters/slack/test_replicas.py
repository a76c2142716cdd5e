"""Replicas of the Slack adapter on one database: a retry or a replay is taken once overall."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from bot.store.db import Database
from tests.adapters.slack.rig import CHANNEL, SECRET, TEAM, USER, SlackRig, sign, slack_rig
from tests.databases import reopen
from tests.fakes.http_server import FakeHttpServer


@pytest.fixture
async def replicas(db: Database, http_server: FakeHttpServer) -> AsyncIterator[list[SlackRig]]:
    """Two adapters with their own bots, fakes and database engines, on one database."""
    async with AsyncExitStack() as stack:
        other = await reopen(db)
        stack.push_async_callback(other.close)
        first = await stack.enter_async_context(slack_rig(db, http_server))
        second = await stack.enter_async_context(slack_rig(other, http_server))
        yield [first, second]


def mention(text: str) -> dict[str, Any]:
    return {"type": "app_mention", "channel": CHANNEL, "user": USER, "team": TEAM,
            "text": f"<@U0BOT> {text}", "ts": "1770700000.000200"}  # fmt: skip


async def test_an_event_and_its_retry_at_two_replicas_get_one_answer(
    replicas: list[SlackRig],
) -> None:
    first, second = replicas
    assert (await first.event(mention("topics"), "Ev77")).status == 200
    assert (await second.event(mention("topics"), "Ev77", retry=1)).status == 200
    assert (await first.event(mention("topics"), "Ev77", retry=2)).status == 200
    for rig in replicas:
        await rig.adapter.drain()
    answers = first.api.posts() + second.api.posts()
    assert len(answers) == 1, [a.text for a in answers]
    assert "Topics" in answers[0].text


async def test_a_signed_request_is_taken_once_by_replicas_and_after_restarts(
    db: Database, http_server: FakeHttpServer
) -> None:
    fields = (f"token=t&team_id={TEAM}&channel_id={CHANNEL}&user_id={USER}&user_name=alice"
              "&command=%2Fpapers&text=subscribe+cat%3Acs.CL+agents&api_app_id=A0APP"
              "&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fr&trigger_id=1.2.3")  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(fields, SECRET)}
    async with slack_rig(db, http_server) as before_restart:
        assert (await before_restart.post_raw(fields, headers)).status == 200
        await before_restart.adapter.drain()
    other = await reopen(db)
    try:
        async with slack_rig(other, http_server) as after_restart:
            replayed = await after_restart.post_raw(fields, headers)
            assert replayed.status == 401
            await after_restart.adapter.drain()
            assert not after_restart.api.posts()
    finally:
        await other.close()
