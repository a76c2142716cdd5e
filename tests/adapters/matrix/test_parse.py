"""Matrix events (the client-server API's JSON, as Synapse sends it in /sync) → the core's
messages, and power levels from room state."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.matrix.parse import (
    Command,
    Question,
    Reaction,
    parse_event,
    power_level,
    reaction_action,
    sent_before,
    strip_reply_fallback,
    thread_root,
)
from bot.messages import Conversation, IncomingAction

ROOM, BOT, ALICE = "!abc:localhost", "@paperbot:localhost", "@alice:localhost"


def message(body: str, relates_to: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A timeline m.room.message event in the shape /sync delivers it."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if relates_to is not None:
        content["m.relates_to"] = relates_to
    return {"type": "m.room.message", "sender": ALICE, "event_id": "$ev1", "content": content,
            "origin_server_ts": 1_745_830_000_000, "unsigned": {"age": 120}} | fields  # fmt: skip


def reaction(key: str, target: str = "$paper") -> dict[str, Any]:
    relation = {"rel_type": "m.annotation", "event_id": target, "key": key}
    return {"type": "m.reaction", "sender": ALICE, "event_id": "$r1",
            "content": {"m.relates_to": relation}, "unsigned": {"age": 50}}  # fmt: skip


def test_a_prefixed_message_is_a_command_and_the_prefix_alone_is_help() -> None:
    parsed = parse_event(ROOM, message("!papers subscribe cat:cs.CL agents"), BOT)
    assert isinstance(parsed, Command)
    assert parsed.message.text == "subscribe cat:cs.CL agents"
    assert parsed.message.conversation == Conversation("matrix", ROOM)
    assert (parsed.message.user, parsed.message.message_id) == (ALICE, "$ev1")
    assert not parsed.message.is_admin  # decided by the adapter from power levels
    bare = parse_event(ROOM, message("!Papers"), BOT)
    assert isinstance(bare, Command) and bare.message.text == "help"
    assert parse_event(ROOM, message("!paperswhat"), BOT) is None
    assert parse_event(ROOM, message("!papers help"), BOT, prefix="!pb") is None


@pytest.mark.parametrize(
    "event",
    [
        message("!papers help", sender=BOT),  # the bot's own
        message("!papers help") | {"content": {"msgtype": "m.notice", "body": "!papers help"}},
        message("just chatting"),  # no thread, no command
        message("* fixed", {"rel_type": "m.replace", "event_id": "$ev0"}),  # an edit
        {"type": "m.room.member", "sender": ALICE, "event_id": "$m", "state_key": ALICE,
         "content": {"membership": "join"}},
        {"type": "m.room.message", "sender": ALICE, "event_id": "$i",
         "content": {"msgtype": "m.image", "body": "cat.png"}},
        reaction("👍") | {"content": {"m.relates_to": {"rel_type": "m.reference",
                                                       "event_id": "$paper"}}},
    ],
)  # fmt: skip
def test_what_is_not_for_the_bot_is_none(event: dict[str, Any]) -> None:
    assert parse_event(ROOM, event, BOT) is None


def test_a_thread_message_or_a_reply_is_a_question_about_its_root() -> None:
    thread = {"rel_type": "m.thread", "event_id": "$paper", "is_falling_back": True,
              "m.in_reply_to": {"event_id": "$paper"}}  # fmt: skip
    parsed = parse_event(ROOM, message("What data?", thread), BOT)
    assert isinstance(parsed, Question) and parsed.about == "$paper"
    assert parsed.message.conversation.thread == "$paper" and parsed.message.text == "What data?"
    quoted = "> <@paperbot:localhost> 1. A paper\n> more\n\nWhat hardware?"
    reply = parse_event(ROOM, message(quoted, {"m.in_reply_to": {"event_id": "$p2"}}), BOT)
    assert isinstance(reply, Question) and reply.about == "$p2" and reply.message.text == (
        "What hardware?")  # fmt: skip
    command = parse_event(ROOM, message("!papers topics", thread), BOT)
    assert isinstance(command, Command) and command.message.conversation.thread == "$paper"


def test_reply_fallback_is_only_stripped_when_it_is_one() -> None:
    assert strip_reply_fallback("> quoting myself\nok") == "> quoting myself\nok"
    assert strip_reply_fallback("> <@a:b> hi\n\nyes") == "yes"


def paper_event(sender: str = BOT) -> dict[str, Any]:
    reactions = {"👍": ["like", "arxiv:2504.00001"], "👎": ["dislike", "arxiv:2504.00001"]}
    return {"type": "m.room.message", "sender": sender, "event_id": "$paper",
            "content": {"msgtype": "m.notice", "body": "1. A paper",
                        "io.paperbot.reactions": reactions}}  # fmt: skip


@pytest.mark.parametrize("key, action", [("👍", "like"), ("👍️", "like"), ("👍🏽", "like"),
                                         ("👎", "dislike")])  # fmt: skip
def test_a_vote_reaction_on_a_bots_paper_is_its_buttons_action(key: str, action: str) -> None:
    parsed = parse_event(ROOM, reaction(key), BOT)
    assert isinstance(parsed, Reaction) and parsed.target == "$paper"
    assert reaction_action(parsed, paper_event(), BOT) == IncomingAction(
        Conversation("matrix", ROOM, "", "$paper"), action, "arxiv:2504.00001", ALICE, False
    )


def test_other_reactions_and_reactions_on_others_messages_are_no_votes() -> None:
    smile = parse_event(ROOM, reaction("😄"), BOT)
    thumbs = parse_event(ROOM, reaction("👍"), BOT)
    assert isinstance(smile, Reaction) and isinstance(thumbs, Reaction)
    assert reaction_action(smile, paper_event(), BOT) is None
    assert reaction_action(thumbs, paper_event(sender=ALICE), BOT) is None
    plain = paper_event() | {"content": {"msgtype": "m.notice", "body": "help"}}
    assert reaction_action(thumbs, plain, BOT) is None


def test_a_bots_answer_in_a_thread_leads_back_to_its_root() -> None:
    answer = {"sender": BOT, "content": {"m.relates_to": {"rel_type": "m.thread",
                                                          "event_id": "$paper"}}}  # fmt: skip
    assert thread_root(answer) == "$paper" and thread_root(paper_event()) is None


def state(version: str, users: dict[str, int], creator: str = ALICE) -> list[dict[str, Any]]:
    return [
        {"type": "m.room.create", "state_key": "", "sender": creator,
         "content": {"room_version": version}},
        {"type": "m.room.power_levels", "state_key": "", "sender": creator,
         "content": {"users": users, "users_default": 0}},
    ]  # fmt: skip


def test_power_levels_come_from_the_room_and_v12_creators_outrank_all() -> None:
    assert power_level(state("12", {}), ALICE) == float("inf")  # not listed in v12 rooms
    assert power_level(state("12", {"@bob:localhost": 50}), "@bob:localhost") == 50
    assert power_level(state("12", {}), "@carol:localhost") == 0
    assert power_level(state("10", {ALICE: 100}), ALICE) == 100
    assert power_level(state("10", {}), ALICE) == 0  # pre-v12 creators are only what is listed
    assert power_level(state("10", {})[:1], ALICE) == 100  # no power levels at all


def test_backlog_is_told_by_the_servers_age_not_a_clock() -> None:
    assert sent_before(message("x", unsigned={"age": 60_000}), elapsed_ms=1_000)
    assert not sent_before(message("x", unsigned={"age": 500}), elapsed_ms=1_000)
    assert not sent_before(message("x", unsigned={}), elapsed_ms=0)
