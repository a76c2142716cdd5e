"""Discord payloads → incoming messages and actions, and permissions → is_admin (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.membership import Membership
from adapters.discord.parse import (
    custom_id,
    decode_custom_id,
    is_admin,
    parse_interaction,
    parse_question,
    thread_parents,
)
from bot.messages import Conversation, IncomingAction, IncomingMessage
from tests.fakes.discord_gateway import guild, member, message, text_channel, thread_channel, user

GUILD, CHANNEL, BOT = "1300000000000000100", "1300000000000000200", "1300000000000000999"
ALICE = user("1300000000000000401", "alice")
CHANNEL_OBJ = text_channel(CHANNEL, GUILD, "papers")

# an APPLICATION_COMMAND interaction as the gateway delivers it (INTERACTION_CREATE's `d`)
RECORDED_COMMAND: dict[str, Any] = {
    "app_permissions": "2248473465835073", "application_id": "1300000000000000001",
    "authorizing_integration_owners": {"0": GUILD}, "channel": CHANNEL_OBJ,
    "channel_id": CHANNEL, "context": 0, "entitlements": [], "guild_id": GUILD,
    "guild_locale": "en-US", "id": "1300000000000000500", "locale": "en-GB",
    "member": member(ALICE, 1 << 5), "token": "aW50ZXJhY3Rpb246MTMwMDAw", "type": 2,
    "version": 1,
    "data": {"id": "1300000000000000600", "name": "papers", "type": 1,
             "options": [{"name": "text", "type": 3, "value": "subscribe cat:cs.CL agents"}]},
}  # fmt: skip


def command(**changes: Any) -> dict[str, Any]:
    return RECORDED_COMMAND | changes


def test_a_command_carries_the_grammar_and_the_members_rights() -> None:
    parsed = parse_interaction(RECORDED_COMMAND)
    assert parsed == IncomingMessage(Conversation("discord", CHANNEL, GUILD),
                                     "subscribe cat:cs.CL agents", user=ALICE["id"],
                                     is_admin=True)  # fmt: skip


def test_an_empty_command_asks_for_help_and_others_are_not_ours() -> None:
    empty = parse_interaction(command(data={"id": "1", "name": "papers", "type": 1}))
    assert isinstance(empty, IncomingMessage) and empty.text == "help"
    assert parse_interaction(command(data={"id": "1", "name": "other", "type": 1})) is None
    assert parse_interaction(command(type=4)) is None  # autocomplete
    assert parse_interaction(command(type=1)) is None  # ping


@pytest.mark.parametrize(
    ("permissions", "admin"),
    [(1 << 5, True), (1 << 4, True), (1 << 3, True), ((1 << 10) | (1 << 11), False),
     (0, False), ("2147483647", True), ("junk", False), (None, False)],
)  # fmt: skip
def test_manage_server_channels_or_administrator_may_change_settings(
    permissions: Any, admin: bool
) -> None:
    assert is_admin(permissions) is admin


def test_a_member_without_rights_is_no_admin_and_a_dm_is_ones_own() -> None:
    plain = parse_interaction(command(member=member(ALICE, 1 << 11)))
    assert isinstance(plain, IncomingMessage) and plain.is_admin is False
    dm = command(member=None, user=ALICE, guild_id=None, channel={"id": "77", "type": 1})
    parsed = parse_interaction({k: v for k, v in dm.items() if v is not None})
    assert isinstance(parsed, IncomingMessage) and parsed.is_admin is True
    assert parsed.user == ALICE["id"] and parsed.conversation.channel == CHANNEL


def test_a_command_in_a_thread_belongs_to_its_channel() -> None:
    thread = thread_channel("1300000000000000700", CHANNEL_OBJ, "Questions", BOT)
    parsed = parse_interaction(command(channel=thread, channel_id=thread["id"]))
    assert parsed is not None and parsed.conversation == Conversation(
        "discord", CHANNEL, GUILD, thread["id"]
    )


def test_a_button_click_is_an_action_on_the_clicked_message() -> None:
    clicked = message(CHANNEL_OBJ, user(BOT, "paperbot", bot=True))
    data = {"custom_id": "pb:like:arxiv:2504.00001", "component_type": 2}
    click = command(type=3, message=clicked, data=data)
    assert parse_interaction(click) == IncomingAction(
        Conversation("discord", CHANNEL, GUILD, clicked["id"]), "like", "arxiv:2504.00001",
        user=ALICE["id"], is_admin=True,
    )  # fmt: skip
    foreign = click | {"data": {"custom_id": "someone-else", "component_type": 2}}
    assert parse_interaction(foreign) is None
    select = click | {"data": {"custom_id": "pb:like:x", "component_type": 3}}
    assert parse_interaction(select) is None


def test_custom_ids_round_trip_within_100_characters() -> None:
    encoded = custom_id("dislike", "arxiv:2504.00001")
    assert encoded is not None and decode_custom_id(encoded) == ("dislike", "arxiv:2504.00001")
    assert custom_id("like", "x" * 100) is None
    assert decode_custom_id("pb:") is None and decode_custom_id("other:like:x") is None


def test_a_message_in_a_paper_thread_is_a_question_there() -> None:
    thread = thread_channel("1300000000000000800", CHANNEL_OBJ, "Questions", BOT)
    said = message(thread, ALICE, content="  What is new?  ")
    assert parse_question(said, BOT, CHANNEL) == IncomingMessage(
        Conversation("discord", CHANNEL, GUILD, thread["id"]), "What is new?",
        user=ALICE["id"], is_admin=False, message_id=said["id"],
    )  # fmt: skip


def test_a_reply_to_a_bot_post_is_a_question_about_it() -> None:
    post = message(CHANNEL_OBJ, user(BOT, "paperbot", bot=True))
    reference = {"message_id": post["id"], "channel_id": CHANNEL}
    reply = message(CHANNEL_OBJ, ALICE, content="Code?", referenced_message=post,
                    message_reference=reference)  # fmt: skip
    parsed = parse_question(reply, BOT, None)
    assert parsed is not None and parsed.conversation.thread == post["id"]
    other = reply | {"referenced_message": message(CHANNEL_OBJ, ALICE)}
    assert parse_question(other, BOT, None) is None


@pytest.mark.parametrize(
    "changes",
    [{"author": user(BOT, "paperbot", bot=True)}, {"author": user("5", "hook", bot=True)},
     {"webhook_id": "9"}, {"type": 7}, {"content": "   "}],
)  # fmt: skip
def test_what_is_not_a_persons_question_is_ignored(changes: dict[str, Any]) -> None:
    thread = thread_channel("1300000000000000900", CHANNEL_OBJ, "Questions", BOT)
    said = message(thread, ALICE, content="hello") | changes
    assert parse_question(said, BOT, CHANNEL) is None


def test_chatter_outside_threads_is_not_a_question() -> None:
    assert parse_question(message(CHANNEL_OBJ, ALICE, content="hi all"), BOT, None) is None


def test_guild_create_tells_plain_channels_from_threads() -> None:
    created = guild(GUILD, "Lab", [CHANNEL_OBJ], "1")
    created["threads"] = [thread_channel("42", CHANNEL_OBJ, "Questions", BOT)]
    assert thread_parents(created) == {CHANNEL: None, "42": CHANNEL}


def test_membership_follows_servers_joined_and_left() -> None:
    tracked = Membership()
    assert tracked.saw("READY", {"guilds": [{"id": GUILD, "unavailable": True}]}) == []
    assert tracked.saw("GUILD_CREATE", guild(GUILD, "Lab", [CHANNEL_OBJ], "1")) == []
    here = Conversation("discord", CHANNEL, GUILD)
    assert tracked.saw("GUILD_DELETE", {"id": GUILD, "unavailable": True}) == []  # an outage
    assert tracked.saw("GUILD_DELETE", {"id": GUILD}) == [(here, False)]  # removed
    assert tracked.saw("GUILD_CREATE", guild(GUILD, "Lab", [CHANNEL_OBJ], "1")) == [(here, True)]
    assert tracked.saw("CHANNEL_DELETE", CHANNEL_OBJ) == [(here, False)]
