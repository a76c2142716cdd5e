"""Slack payloads → core messages, checked against every recorded payload in fixtures/slack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from adapters.slack import parse
from bot.messages import Conversation
from tests.conftest import FIXTURES

SLACK = FIXTURES / "slack"


def load(name: str) -> dict[str, Any]:
    """A recorded JSON payload."""
    return json.loads((SLACK / name).read_text())


def form(name: str) -> dict[str, str]:
    """A recorded form-encoded body as a flat dict."""
    return {
        k: v[0] for k, v in parse_qs((SLACK / name).read_text(), keep_blank_values=True).items()
    }


def action_body(name: str) -> dict[str, Any]:
    """The JSON inside a recorded `payload=` interactive body."""
    return json.loads(form(name)["payload"])


def test_slash_command_http_body() -> None:
    message = parse.parse_slash_command(form("slack_slash_command_request_body.urlencoded"))
    assert message.conversation == Conversation("slack", "C01N639ECTY", "T01ND2P8N91")
    assert message.user == "U01NK1K9L68"
    assert message.text == "help"  # the recorded command was sent with empty text


def test_slash_command_socket_mode_envelope() -> None:
    payload = load("slack_socket_mode_envelope_slash_commands.json")["payload"]
    message = parse.parse_slash_command(payload)
    assert message.conversation == Conversation("slack", "C0ADN3WUR8D", "T05FQ6AER6K")
    assert message.user == "U05GUDS0A48"
    assert message.text == "1.2.3"


def test_slash_command_text_is_the_core_grammar() -> None:
    payload = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": "U1",
        "command": "/papers",
        "text": "  subscribe cat:cs.CL agents &amp; tools  ",
    }
    assert parse.parse_slash_command(payload).text == "subscribe cat:cs.CL agents & tools"


@pytest.mark.parametrize(
    "name",
    ["slack_block_actions_button_request_body.urlencoded"],
)
def test_block_action_button(name: str) -> None:
    [action] = parse.parse_block_actions(action_body(name))
    assert action.conversation == Conversation(
        "slack", "C01N9PM1D53", "T01ND2P8N91", "1613575038.002800"
    )
    assert (action.action, action.value, action.user) == (
        "button-action",
        "click_me_123",
        "U01NK1K9L68",
    )


def test_block_action_static_select_is_not_a_button() -> None:
    body = action_body("slack_block_actions_static_select_request_body.urlencoded")
    assert parse.parse_block_actions(body) == []


def test_block_action_socket_mode_envelope() -> None:
    body = load("slack_socket_mode_envelope_interactive_block_actions.json")["payload"]
    [action] = parse.parse_block_actions(body)
    assert action.conversation == Conversation(
        "slack", "C0ADN3WUR8D", "T05FQ6AER6K", "1770813738.876949"
    )
    assert (action.action, action.value, action.user) == (
        "collector-test-btn",
        "test-value",
        "U05GUDS0A48",
    )


@pytest.mark.parametrize(
    "name", ["slack_events_api_message_channel.json", "slack_events_api_message_channel_zulip.json"]
)
def test_top_level_channel_message_is_neither_question_nor_command(name: str) -> None:
    body = load(name)
    event = body["event"]
    team = parse.event_team(body, event)
    assert team == body["team_id"]
    assert parse.parse_question(event, team, "U0BOT") is None
    assert parse.parse_direct_command(event, team, "U0BOT") is None
    assert not parse.is_from_bot(event, "U0BOT")


def test_recorded_message_becomes_a_question_when_it_replies_in_the_bots_thread() -> None:
    body = load("slack_events_api_message_channel.json")
    event = {**body["event"], "thread_ts": "1613563000.000100", "parent_user_id": "U01N9R657HB"}
    question = parse.parse_question(event, body["team_id"], "U01N9R657HB")
    assert question is not None
    assert question.conversation == Conversation(
        "slack", "C01N9PM1D53", "T01ND2P8N91", "1613563000.000100"
    )
    assert question.text == "this is a test message"
    assert question.user == "U01NK1K9L68"
    assert question.message_id == "1613563664.001200"
    # someone else's thread: not for the bot
    assert parse.parse_question(event, body["team_id"], "U0OTHER") is None


def test_bot_message_in_thread_is_ignored() -> None:
    body = load("slack_events_api_message_in_thread_bot_message.json")
    event = body["event"]
    assert parse.is_from_bot(event)
    assert parse.thread_of(event) == "1614540106.001400"
    assert parse.parse_question(event, "T1", "U01NK1K9L68") is None


def test_edits_and_own_messages_are_ignored() -> None:
    base = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "hi",
        "ts": "2.0",
        "thread_ts": "1.0",
        "parent_user_id": "U0BOT",
    }
    assert parse.parse_question(base, "T1", "U0BOT") is not None
    assert parse.parse_question({**base, "subtype": "message_changed"}, "T1", "U0BOT") is None
    assert parse.parse_question({**base, "user": "U0BOT"}, "T1", "U0BOT") is None
    assert parse.parse_question({**base, "thread_ts": "2.0"}, "T1", "U0BOT") is None  # parent


def test_app_mention_uses_the_recorded_field_names() -> None:
    shape = load("slack_events_api_app_mention_SHAPE_ONLY_blank_values.json")
    event = shape["event"]
    fields = {"type", "user", "text", "ts", "channel", "thread_ts", "team", "bot_id", "subtype"}
    assert fields <= set(event) and {"team_id", "event_id"} <= set(shape)
    # the shape's values are blank: fill the fields a real human mention has
    real = {
        **{k: event[k] for k in ("type", "channel", "ts", "thread_ts", "text", "user")},
        "channel": "C1",
        "ts": "5.0",
        "thread_ts": "4.0",
        "user": "U7",
        "text": "<@U0BOT> what data did they use? &lt;3",
    }
    question = parse.parse_question(real, "T1", "U0BOT")
    assert question is not None
    assert question.conversation == Conversation("slack", "C1", "T1", "4.0")
    assert question.text == "what data did they use? <3"


def test_top_level_mention_and_dm_are_commands() -> None:
    mention = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U7",
        "ts": "5.0",
        "text": "<@U0BOT|paperbot> topics",
    }
    command = parse.parse_direct_command(mention, "T1", "U0BOT")
    assert command is not None and command.text == "topics"
    assert command.conversation.thread is None
    dm = {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "user": "U7",
        "ts": "6.0",
        "text": "help",
    }
    assert parse.parse_direct_command(dm, "T1", "U0BOT") is not None
    assert parse.parse_direct_command({**dm, "channel_type": "channel"}, "T1", "U0BOT") is None


def test_url_verification_is_not_a_message() -> None:
    body = load("slack_events_api_url_verification.json")
    assert body["type"] == "url_verification"
    assert parse.parse_block_actions(body) == []


def test_membership_changes() -> None:
    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C1", "team": "T1"}
    assert parse.membership_change(joined, "T1", "U0BOT") == (
        Conversation("slack", "C1", "T1"),
        True,
    )
    assert parse.membership_change({**joined, "user": "U7"}, "T1", "U0BOT") is None
    left = {"type": "channel_left", "channel": "C1"}
    assert parse.membership_change(left, "T1", "U0BOT") == (
        Conversation("slack", "C1", "T1"),
        False,
    )
    assert parse.membership_change({**left, "type": "group_left"}, "T1", "U0BOT") is not None


def test_every_recorded_payload_is_covered() -> None:
    covered = {p.name for p in SLACK.iterdir()}
    used = set(Path(__file__).read_text().split('"'))
    web_api = {n for n in covered if n.startswith("slack_web_") or "hello" in n}
    assert covered - web_api <= used
