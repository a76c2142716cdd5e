"""Multi-workspace Slack: install by OAuth, keep the bot token in our database, post with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest

from adapters.slack.app import SlackAdapter, make_client
from adapters.slack.oauth import manifest_bot_scopes
from bot.store.db import Database
from tests.adapters.slack.rig import CHANNEL, SECRET, USER, sign, slack_settings
from tests.botharness import bot_settings, make_testbot
from tests.fakes.slack_api import FakeSlackApi

INSTALLED_TEAM = "T0INST"
STATE_COOKIE = "slack-app-oauth-state"
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
MANIFEST_SCOPES = {
    "commands", "chat:write", "app_mentions:read", "channels:history", "groups:history",
    "im:history", "reactions:write", "files:write", "channels:read", "groups:read",
}  # fmt: skip


@dataclass
class OAuthRig:
    """The adapter in HTTP mode with OAuth on, the fake Web API and an HTTP session."""

    adapter: SlackAdapter
    api: FakeSlackApi
    session: aiohttp.ClientSession

    def url(self, path: str) -> str:
        """A URL on the adapter's server."""
        return f"http://127.0.0.1:{self.adapter.port}{path}"


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[OAuthRig]:
    """OAuth settings (client id/secret, no bot token) on the test database."""
    api = await FakeSlackApi(team_id=INSTALLED_TEAM).start()
    slack = slack_settings(
        api.url, bot_token="", client_id="1111.2222", client_secret="client-secret",
        signing_secret=SECRET,
    )  # fmt: skip
    testbot = await make_testbot(db, bot_settings())
    adapter = SlackAdapter(
        slack, testbot.app.bot, client=make_client(slack), per_channel_per_second=None,
        http_mode=True, host="127.0.0.1", port=0, engine=db.engine,
    )  # fmt: skip
    await adapter.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield OAuthRig(adapter, api, session)
    finally:
        await adapter.stop()
        await testbot.app.http.aclose()
        await api.stop()


async def install(rig: OAuthRig) -> None:
    """GET /slack/install, then come back to /slack/oauth_redirect with a code and the state."""
    async with rig.session.get(rig.url("/slack/install"), allow_redirects=False) as response:
        assert response.status == 302
        location = urlsplit(response.headers["Location"])
        cookie = response.cookies[STATE_COOKIE].value
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://slack.com/oauth/v2/authorize"
    )
    query = parse_qs(location.query)
    assert query["client_id"] == ["1111.2222"]
    assert set(query["scope"][0].split(",")) == set(MANIFEST_SCOPES)
    state = query["state"][0]
    redirect = rig.url("/slack/oauth_redirect?" + urlencode({"code": "c0de", "state": state}))
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"}
    async with rig.session.get(redirect, headers=headers, allow_redirects=False) as response:
        assert response.status == 200, await response.text()


async def test_install_stores_the_bot_and_commands_use_its_token(rig: OAuthRig) -> None:
    await install(rig)
    assert rig.adapter.oauth is not None
    bot = await rig.adapter.oauth.installations.async_find_bot(
        enterprise_id=None, team_id=INSTALLED_TEAM
    )
    assert bot is not None and bot.bot_token == "xoxb-installed"
    assert rig.api.calls_to("oauth.v2.access")

    fields = {
        "token": "t", "team_id": INSTALLED_TEAM, "team_domain": "tests", "channel_id": CHANNEL,
        "channel_name": "papers", "user_id": USER, "user_name": "alice", "command": "/papers",
        "text": "help", "api_app_id": "A0APP", "response_url": "http://127.0.0.1:9/response",
        "trigger_id": "1.2.3",
    }  # fmt: skip
    body = urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SECRET)}
    async with rig.session.post(rig.url("/slack/events"), data=body, headers=headers) as response:
        assert response.status == 200
    await rig.adapter.drain()
    posts = rig.api.posts()
    assert posts and {call.token for call in posts} == {"xoxb-installed"}


async def test_a_wrong_state_installs_nothing(rig: OAuthRig) -> None:
    redirect = rig.url("/slack/oauth_redirect?code=c0de&state=forged")
    async with rig.session.get(redirect, allow_redirects=False) as response:
        assert response.status >= 400
    assert not rig.api.calls_to("oauth.v2.access")


def test_oauth_asks_for_the_manifest_scopes() -> None:
    assert set(manifest_bot_scopes()) == set(MANIFEST_SCOPES)
