"""End to end against a real Synapse: rooms, commands, digests, votes, questions."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from adapters.matrix.app import MatrixAdapter
from bot.messages import Conversation
from bot.models import Channel, Feedback
from bot.store.channels import find_channel
from bot.store.keys import RequestKeys
from tests.adapters.matrix.rig import MatrixRig


async def test_invited_bot_joins_and_answers_help(rig: MatrixRig) -> None:
    room = await rig.room()
    [help_reply] = await rig.ask(room, "!papers help")
    content = help_reply["content"]
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"
    assert "subscribe" in content["body"] and "<br>" in content["formatted_body"]
    [bare] = await rig.ask(room, "!papers")
    assert bare["content"]["body"] == content["body"]


async def test_only_power_level_50_changes_settings_but_anyone_may_look(rig: MatrixRig) -> None:
    room = await rig.room(rig.bob)
    [refused] = await rig.ask(room, "!papers subscribe cat:quant-ph", who=rig.bob)
    assert "Only an administrator" in refused["content"]["body"]
    [done] = await rig.ask(room, "!papers subscribe cat:quant-ph entanglement")  # the creator
    assert "Subscribed (topic 1)" in done["content"]["body"]
    await rig.alice.set_power(room, rig.bob.user_id, 50)
    [moderator] = await rig.ask(room, "!papers subscribe cat:gr-qc", who=rig.bob)
    assert "Subscribed (topic 2)" in moderator["content"]["body"]
    [topics] = await rig.ask(room, "!papers topics", who=rig.bob)
    assert "entanglement" in topics["content"]["body"]


async def digest(rig: MatrixRig, room: str) -> list[dict[str, Any]]:
    """Subscribe, then `digest now`: the header and the ten paper events."""
    await rig.ask(room, "!papers subscribe cat:quant-ph entanglement")
    return await rig.ask(room, "!papers digest now", count=11)


async def test_digest_is_a_header_and_one_html_event_per_paper(rig: MatrixRig) -> None:
    room = await rig.room()
    header, *papers = await digest(rig, room)
    assert header["content"]["body"].startswith("Papers for 2025-04-28")
    assert "<h3>Papers for 2025-04-28</h3>" in header["content"]["formatted_body"]
    assert "quant-ph (7) · gr-qc (1)" in header["content"]["formatted_body"]
    assert len(papers) == 10
    for number, event in enumerate(papers, start=1):
        content = event["content"]
        assert content["format"] == "org.matrix.custom.html"
        assert f'<b>{number}. <a href="https://arxiv.org/' in content["formatted_body"]
        assert "m.relates_to" not in content  # each paper starts its own thread
        assert content["io.paperbot.reactions"]["👍"][0] == "like"
    html = [p["content"]["formatted_body"] for p in papers]
    assert any("|S| &gt; 2" in h for h in html) and not any("|S| > 2" in h for h in html)
    assert any("|S| > 2" in p["content"]["body"] for p in papers)  # plain text: as written


async def test_a_thumbs_up_reaction_records_a_vote(rig: MatrixRig) -> None:
    room = await rig.room()
    _header, *papers = await digest(rig, room)
    await rig.alice.mark()
    await rig.alice.react(room, papers[2]["event_id"], "👍️")  # with a variation selector
    [noted] = await rig.alice.bot_messages(room, rig.bot.user_id, 1)
    assert "Noted 👍" in noted["content"]["body"]
    async with rig.testbot.app.db.session() as session:
        votes = (await session.exec(select(Feedback))).all()
    assert [(v.user, v.value) for v in votes] == [(rig.alice.user_id, 1)]
    key = papers[2]["content"]["io.paperbot.reactions"]["👍"][1]
    assert votes[0].paper_id is not None and key.startswith("arxiv:")


async def test_a_question_in_a_papers_thread_is_answered_there(rig: MatrixRig) -> None:
    room = await rig.room()
    _header, *papers = await digest(rig, room)
    root = papers[1]["event_id"]
    thread = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
              "m.in_reply_to": {"event_id": root}}  # fmt: skip
    [answer] = await rig.ask(room, "What hardware do they use?", relates_to=thread)
    relation = answer["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread" and relation["event_id"] == root
    assert relation["m.in_reply_to"]["event_id"] != root  # the asker's message
    assert "which paper" not in answer["content"]["body"], answer["content"]["body"]
    [reply] = await rig.ask(room, "And the data?", relates_to={"m.in_reply_to": {"event_id": root}})
    assert reply["content"]["m.relates_to"]["event_id"] == root


async def test_chatter_and_threads_on_other_messages_are_not_for_the_bot(rig: MatrixRig) -> None:
    room = await rig.room()
    mine = await rig.alice.say(room, "lunch?")
    await rig.alice.say(room, "yes", relates_to={"rel_type": "m.thread", "event_id": mine})
    [answer] = await rig.ask(room, "!papers topics")
    assert [e["content"]["body"] for e in await rig.alice.messages(room, rig.bot.user_id)] == [
        answer["content"]["body"]
    ]


async def test_what_was_said_while_the_bot_was_down_is_not_answered(rig: MatrixRig) -> None:
    room = await rig.room()
    await rig.adapter.stop()
    await rig.alice.say(room, "!papers help")  # the backlog
    rig.adapter = MatrixAdapter(rig.adapter.settings, rig.testbot.app.bot,
                                RequestKeys(rig.testbot.app.db))  # fmt: skip
    await rig.adapter.start()
    [answer] = await rig.ask(room, "!papers topics")
    assert "Commands" not in answer["content"]["body"]
    bot_said = await rig.alice.messages(room, rig.bot.user_id)
    assert [e["event_id"] for e in bot_said] == [answer["event_id"]]


async def test_two_replicas_answer_each_event_once(rig: MatrixRig) -> None:
    room = await rig.room()
    replica = MatrixAdapter(rig.adapter.settings, rig.testbot.app.bot,
                            RequestKeys(rig.testbot.app.db))  # fmt: skip
    await replica.start()
    try:
        for command in ("!papers topics", "!papers help", "!papers topics"):
            await rig.ask(room, command)
    finally:
        await replica.stop()
    assert len(await rig.alice.messages(room, rig.bot.user_id)) == 3


async def test_a_kicked_bot_that_is_invited_again_rejoins(rig: MatrixRig) -> None:
    room = await rig.room()
    await rig.ask(room, "!papers subscribe cat:quant-ph")
    changes: asyncio.Queue[bool] = asyncio.Queue()
    original = rig.testbot.app.bot.channel_membership

    async def spy(conversation: Conversation, present: bool) -> None:
        await original(conversation, present)
        changes.put_nowait(present)

    rig.testbot.app.bot.channel_membership = spy  # type: ignore[method-assign]
    await rig.alice.kick(room, rig.bot.user_id)
    assert await asyncio.wait_for(changes.get(), 30) is False
    assert not (await channel_of(rig, room)).active
    await rig.alice.invite(room, rig.bot.user_id)
    assert await asyncio.wait_for(changes.get(), 30) is True
    assert (await channel_of(rig, room)).active
    [topics] = await rig.ask(room, "!papers topics")
    assert "cat:quant-ph" in topics["content"]["body"]


async def channel_of(rig: MatrixRig, room: str) -> Channel:
    async with rig.testbot.app.db.session() as session:
        found = await find_channel(session, Conversation("matrix", room))
    assert found is not None
    return found


async def test_an_encrypted_room_is_told_the_bot_cannot_read_it(rig: MatrixRig) -> None:
    await rig.alice.mark()
    encryption = {"type": "m.room.encryption", "state_key": "",
                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}  # fmt: skip
    created = await rig.alice.call(
        "POST", "/createRoom", {"invite": [rig.bot.user_id], "initial_state": [encryption]}
    )
    [warning] = await rig.alice.bot_messages(created["room_id"], rig.bot.user_id, 1)
    assert "encrypted" in warning["content"]["body"]
