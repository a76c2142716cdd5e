"""Socket Mode: the adapter connects through apps.connections.open to the fake's WebSocket."""

from __future__ import annotations

import json

from adapters.slack.app import SlackAdapter, make_client
from bot.store.db import Database
from tests.adapters.slack.rig import slack_settings
from tests.botharness import bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.slack_api import FakeSlackApi

ENVELOPES = FIXTURES / "slack"


RECORDED_TEAM = "T05FQ6AER6K"


async def test_socket_mode_command_and_button(db: Database, slack_api: FakeSlackApi) -> None:
    slack = slack_settings(slack_api.url, app_token="xapp-test")
    testbot = await make_testbot(db, bot_settings())
    adapter = SlackAdapter(
        slack, testbot.app.bot, client=make_client(slack), per_channel_per_second=None
    )
    slack_api.team_id = RECORDED_TEAM  # the recorded envelopes' workspace is the installed one
    await adapter.start()
    try:
        recorded = json.loads(
            (ENVELOPES / "slack_socket_mode_envelope_slash_commands.json").read_text()
        )
        recorded["payload"].update(command="/papers", text="subscribe cat:cs.CL agents")
        ack = await slack_api.socket.send(recorded)
        assert ack["envelope_id"] == recorded["envelope_id"]
        button = json.loads(
            (ENVELOPES / "slack_socket_mode_envelope_interactive_block_actions.json").read_text()
        )
        button["payload"]["actions"][0].update(action_id="ask", value="arxiv:2504.00001")
        assert (await slack_api.socket.send(button))["envelope_id"] == button["envelope_id"]
        await adapter.drain()
    finally:
        await adapter.stop()
        await testbot.app.http.aclose()
    replies = slack_api.calls_to("chat.postEphemeral")  # the two run concurrently, after acks
    [subscribed] = [r for r in replies if not r.thread_ts]
    [ask] = [r for r in replies if r.thread_ts]
    assert subscribed.args["user"] == "U05GUDS0A48" and subscribed.channel == "C0ADN3WUR8D"
    assert "Subscribed (topic 1)" in subscribed.text
    assert ask.thread_ts == "1770813738.876949" and "thread" in ask.text
    assert slack_api.calls_to("apps.connections.open")
