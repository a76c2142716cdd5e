"""Telegram updates → core messages, on every recorded payload in shared/fixtures/telegram."""

from __future__ import annotations

import copy

from adapters.telegram.callbacks import TokenTable, callback_data, callback_token
from adapters.telegram.parse import (
    callback_action,
    command_message,
    membership_change,
    question_message,
    update_from_dict,
)
from bot.messages import Conversation
from tests.adapters.telegram.updates import (
    ANONYMOUS_ADMIN_BOT,
    group_chat,
    message_update,
    private_chat,
    recorded,
)


def test_private_command_keeps_the_slash_and_the_chat() -> None:
    update = update_from_dict(recorded("telegram_update_command_private.json"))
    message = command_message(update, "paperbot_bot", known={"test"})
    assert message is not None
    assert message.text == "/test"
    assert message.conversation == Conversation("telegram", "10081232", "", None)
    assert message.user == "10081232"
    assert message.message_id == "428640"
    assert question_message(update) is None


def test_command_addressed_by_username_passes_through() -> None:
    update = update_from_dict(recorded("telegram_update_command_with_bot_username.json"))
    mine = command_message(update, "foo_bot", known={"test"})
    assert mine is not None and mine.text == "/test@foo_bot"
    assert command_message(update, "other_bot", known={"test"}) is None


def test_group_command_with_a_reply_is_a_command_not_a_question() -> None:
    raw = recorded("telegram_updates_group_command_with_reply_to_message.json")[0]
    update = update_from_dict(raw)
    assert command_message(update, "paperbot_bot") is None  # /addquote: another bot's command
    message = command_message(update, "paperbot_bot", known={"addquote"})
    assert message is not None
    assert message.conversation == Conversation("telegram", "-1001234567890")
    assert message.user == "123456" and message.message_id == "10"
    assert question_message(update) is None  # it replies to a person, not to the bot


def test_start_reads_as_help_and_unknown_commands_in_private_reach_the_core() -> None:
    start = command_message(update_from_dict(message_update(private_chat(), "/start")), "b")
    assert start is not None and start.text == "/help"
    odd = command_message(update_from_dict(message_update(private_chat(), "/frobnicate")), "b")
    assert odd is not None and odd.text == "/frobnicate"
    in_group = update_from_dict(message_update(group_chat(), "/frobnicate"))
    assert command_message(in_group, "b") is None


def test_forum_message_is_a_question_about_its_thread_root() -> None:
    update = update_from_dict(recorded("telegram_update_reply_to_message_supergroup_forum.json"))
    question = question_message(update, bot_id=42)
    assert question is not None
    assert question.text == "bbbb"
    assert question.conversation == Conversation("telegram", "-1001234567489", "", "66")
    assert question.user == "123456" and question.message_id == "68"
    assert command_message(update, "b") is None


def test_reply_to_the_bot_is_a_question_about_that_message() -> None:
    raw = recorded("telegram_update_reply_to_message_supergroup_forum.json")
    raw = copy.deepcopy(raw)
    raw["message"]["reply_to_message"]["from"] = {"id": 42, "is_bot": True, "first_name": "pb"}
    raw["message"]["reply_to_message"]["message_id"] = 61
    question = question_message(update_from_dict(raw), bot_id=42)
    assert question is not None and question.conversation.thread == "61"
    other_bot = question_message(update_from_dict(raw), bot_id=43)
    assert other_bot is not None and other_bot.conversation.thread == "66"  # the forum thread


def test_callback_query_fixture_with_foreign_data_is_ignored() -> None:
    update = update_from_dict(recorded("telegram_update_callback_query.json"))
    assert update.callback_query is not None and update.callback_query.data == "thedata"
    assert callback_action(update) is None


def test_callback_query_becomes_an_action_on_the_pressed_message() -> None:
    raw = copy.deepcopy(recorded("telegram_update_callback_query.json"))
    raw["callback_query"]["data"] = "dislike:arxiv:2504.17830"
    action = callback_action(update_from_dict(raw))
    assert action is not None
    assert (action.action, action.value, action.user) == (
        "dislike",
        "arxiv:2504.17830",
        "222222222",
    )
    assert action.conversation == Conversation("telegram", "222222222", "", "69587")
    assert action.is_admin  # a private chat


def test_long_keys_travel_as_tokens_and_resolve_while_remembered() -> None:
    key = "url:https://journals.example.org/article/very/long/path/" + "x" * 60
    data = callback_data("like", key)
    assert len(data.encode()) <= 64 and data == f"like:{callback_token(key)}"
    assert callback_data("like", "arxiv:2504.17830") == "like:arxiv:2504.17830"
    raw = copy.deepcopy(recorded("telegram_update_callback_query.json"))
    raw["callback_query"]["data"] = data
    table = TokenTable()
    assert callback_action(update_from_dict(raw), table.resolve) is None  # not (yet) known
    table.remember(key)
    action = callback_action(update_from_dict(raw), table.resolve)
    assert action is not None and action.value == key


def test_my_chat_member_fixtures() -> None:
    private = membership_change(update_from_dict(recorded("telegram_update_my_chat_member.json")))
    assert private is not None and private.present
    assert private.conversation == Conversation("telegram", "987654321")
    real = recorded("telegram_getUpdates_group_bot_added_my_chat_member_REAL.json")["result"]
    # Recorded in 2023, before Bot API 7.0 added the (now always sent) story rights PTB 22 requires.
    real[2]["my_chat_member"]["new_chat_member"].update(
        can_post_stories=False, can_edit_stories=False, can_delete_stories=False
    )
    changes = [membership_change(update_from_dict(u)) for u in real]
    assert changes[1] is None  # the new_chat_members service message
    assert [c.present for c in changes if c] == [True, True]  # left→member, member→administrator
    assert {c.conversation.channel for c in changes if c} == {"-4008338308"}


def test_left_and_kicked_are_not_present() -> None:
    real = recorded("telegram_getUpdates_group_bot_added_my_chat_member_REAL.json")["result"][0]
    for status in ("left", "kicked"):
        raw = copy.deepcopy(real)
        raw["my_chat_member"]["new_chat_member"]["status"] = status
        raw["my_chat_member"]["new_chat_member"]["until_date"] = 0
        change = membership_change(update_from_dict(raw))
        assert change is not None and not change.present


def test_anonymous_admin_question_and_forum_topic_command() -> None:
    chat = group_chat(forum=True)
    raw = message_update(chat, "/topics", sender=ANONYMOUS_ADMIN_BOT, sender_chat=chat, thread=7)
    command = command_message(update_from_dict(raw), "b")
    assert command is not None
    assert command.conversation == Conversation("telegram", str(chat["id"]), "", "7")
    assert command.user == str(chat["id"])


def test_numbered_question_is_for_the_bot_and_chatter_is_not() -> None:
    question = question_message(update_from_dict(message_update(private_chat(), ">2 what data?")))
    assert question is not None and question.text == ">2 what data?"
    assert question.conversation == Conversation("telegram", "10081232", "", None)
    for chatter in ("nice paper", "> quoting someone", "2 > 1"):
        assert question_message(update_from_dict(message_update(private_chat(), chatter))) is None
