"""A whole bot behind the Slack adapter in HTTP mode, with signed requests and the fake API."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackAdapter, make_client
from adapters.slack.settings import SlackSettings
from bot.store.db import Database
from bot.store.keys import RequestKeys
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.slack_api import FakeSlackApi

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
TEAM, CHANNEL, USER = "T0TEAM", "C0PAPERS", "U0ALICE"


@dataclass
class SignedResponse:
    """What the adapter's HTTP endpoint answered."""

    status: int
    body: str


@dataclass
class SlackRig:
    """The adapter (HTTP mode, 127.0.0.1:0), the fake Web API and the bot behind them."""

    adapter: SlackAdapter
    api: FakeSlackApi
    testbot: TestBot
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        """The adapter's events endpoint."""
        return f"http://127.0.0.1:{self.adapter.port}/slack/events"

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> SignedResponse:
        """POST a body signed like Slack does (with `secret`, at `timestamp`)."""
        signed = sign(body, secret, timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        return await self.post_raw(body, all_headers)

    async def post_raw(self, body: str, headers: dict[str, str]) -> SignedResponse:
        """POST exactly these bytes and headers."""
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            return SignedResponse(response.status, await response.text())

    async def command(
        self,
        text: str,
        response_url: str | None = None,
        team: str = TEAM,
        **kwargs: Any,
    ) -> SignedResponse:
        """Type `/papers <text>` in the channel (of workspace `team`)."""
        fields = {
            "token": "t",
            "team_id": team,
            "team_domain": "tests",
            "channel_id": CHANNEL,
            "channel_name": "papers",
            "user_id": USER,
            "user_name": "alice",
            "command": "/papers",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": response_url or self.api.response_url(),
            "trigger_id": "1.2.3",
        }
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    async def press(
        self, action: str, value: str, message_ts: str, team: str = TEAM, channel: str = CHANNEL
    ) -> SignedResponse:
        """Press a button on the message at `message_ts` (in `channel` of `team`)."""
        payload = {
            "type": "block_actions",
            "user": {"id": USER, "team_id": team},
            "team": {"id": team},
            "api_app_id": "A0APP",
            "token": "t",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "channel": {"id": channel},
            "message": {"ts": message_ts, "type": "message"},
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/response",
            "actions": [
                {
                    "type": "button",
                    "action_id": action,
                    "value": value,
                    "block_id": "b",
                    "action_ts": "1.0",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], event_id: str, retry: int | None = None, team: str = TEAM
    ) -> SignedResponse:
        """Deliver an Events API event_callback (a Slack retry when `retry` is set)."""
        body = json.dumps(
            {
                "token": "t",
                "team_id": team,
                "api_app_id": "A0APP",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
            }
        )
        if retry is None:
            return await self.post(body, "application/json")
        # a retry comes later: the same body with a fresh timestamp and signature
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        later = int(time.time()) + retry
        return await self.post(body, "application/json", headers=headers, timestamp=later)


def slack_settings(api_url: str, **values: str) -> SlackSettings:
    """Slack's settings for a test: the fake API, a bot token, no `.env`."""
    defaults = {"bot_token": "xoxb-test", "api_url": api_url}
    return SlackSettings(_env_file=None, **(defaults | values))


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


@asynccontextmanager
async def slack_rig(
    db: Database, feeds: FakeHttpServer, *, working_after: float = 60.0
) -> AsyncIterator[SlackRig]:
    """Start the fake API, the bot and the adapter in HTTP mode; stop them all afterwards.

    `working_after` is long by default, so that no "Working on it…" note is sent unless asked.
    The adapter keeps the events and requests it took in `db` (as `paperbot run` does), so
    rigs on one database behave as replicas.
    """
    feeds.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    api = await FakeSlackApi(team_id=TEAM).start()
    settings = bot_settings(arxiv_rss_url=f"{feeds.url}/rss/")
    slack = slack_settings(api.url, signing_secret=SECRET)
    testbot = await make_testbot(db, settings)
    adapter = SlackAdapter(
        slack,
        testbot.app.bot,
        client=make_client(slack),
        per_channel_per_second=None,
        working_after=working_after,
        keys=RequestKeys(db),
    )
    await adapter.start(http=True, host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackRig(adapter, api, testbot, session)
    finally:
        await adapter.stop()
        await testbot.app.http.aclose()
        await api.stop()
