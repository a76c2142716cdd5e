"""The sender against a real Synapse: exactly-once posts by txnId and marker, rate limits, rooms
the bot was removed from."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from adapters.matrix.sender import MatrixSender, MatrixSendError, transaction_id
from bot.messages import ChannelUnavailable, Conversation
from bot.pending import PENDING, post_once
from bot.posts import FollowupPost, Image, Reply, WeeklyBriefing
from bot.store.channels import find_channel
from tests.adapters.matrix.rig import MatrixRig
from tests.fakes.synapse import path_id


async def test_a_resend_with_the_same_marker_is_the_same_event(rig: MatrixRig) -> None:
    room = await rig.room()
    post = Reply(Conversation("matrix", room), "Digest for **today**", marker="paperbot:7:1")
    first = await rig.adapter.sender.send(post)
    again = await rig.adapter.sender.send(post)  # the same txnId: Synapse dedupes it
    assert first is not None and again == first
    other = await rig.adapter.sender.send(Reply(post.conversation, "Digest for **today**"))
    assert other != first  # without a marker every send is new
    bodies = [e["content"]["body"] for e in await rig.alice.messages(room, rig.bot.user_id)]
    assert bodies == ["Digest for today", "Digest for today"]


async def test_a_post_that_went_out_before_a_crash_is_found_not_sent_again(
    rig: MatrixRig,
) -> None:
    room = await rig.room()
    sender = rig.adapter.sender
    post = FollowupPost(Conversation("matrix", room), "v2 is out", marker="followup:42")
    note = sender.pending_note(post, None)
    assert note == transaction_id(post.conversation, post.marker)
    assert await sender.find_posted(post, note) is None  # not sent yet
    sent = await sender.send(post)  # … and then the process died before recording it
    recorded: list[str] = []

    async def record(ref: str) -> None:
        recorded.append(ref)

    ref = await post_once(sender, post, record, pending=f"{PENDING}:{note}")
    assert ref == sent and recorded == [sent]
    assert len(await rig.alice.messages(room, rig.bot.user_id)) == 1
    unsent = FollowupPost(post.conversation, "v3 is out", marker="followup:43")
    assert await sender.find_posted(unsent, sender.pending_note(unsent, None)) is None


async def limit_bot(rig: MatrixRig) -> None:
    """Allow the bot one message a second (burst 1), as a server admin can."""
    path = f"/_synapse/admin/v1/users/{path_id(rig.bot.user_id)}/override_ratelimit"
    async with httpx.AsyncClient(base_url=rig.synapse.url) as http:
        answer = await http.post(
            path,
            json={"messages_per_second": 1, "burst_count": 1},
            headers={"Authorization": f"Bearer {rig.alice.account.token}"},
        )
        answer.raise_for_status()  # fmt: skip


async def test_m_limit_exceeded_is_waited_out_and_bounded(rig: MatrixRig) -> None:
    room = await rig.room()
    await limit_bot(rig)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)  # the homeserver's own retry_after_ms

    here = Conversation("matrix", room)
    sender = MatrixSender(rig.adapter.client, sleep=sleep, max_retries=3, max_wait=5)
    ids = [await sender.send(Reply(here, f"message {n}")) for n in range(3)]
    assert len(set(ids)) == 3 and sender.rate_limited >= 1
    assert waits and all(0 < wait <= 5 for wait in waits)
    bodies = [e["content"]["body"] for e in await rig.alice.messages(room, rig.bot.user_id)]
    assert bodies == ["message 0", "message 1", "message 2"]
    impatient = MatrixSender(rig.adapter.client, sleep=sleep, max_retries=0)
    with pytest.raises(MatrixSendError, match="M_LIMIT_EXCEEDED"):
        for n in range(3):
            await impatient.send(Reply(here, f"hurry {n}"))


async def test_a_kick_retires_the_room_and_sends_raise_channel_unavailable(
    rig: MatrixRig,
) -> None:
    room = await rig.room()
    await rig.ask(room, "!papers subscribe cat:quant-ph")
    changed = asyncio.Event()
    original = rig.testbot.app.bot.channel_membership

    async def spy(conversation: Conversation, present: bool) -> None:
        await original(conversation, present)
        if not present:
            changed.set()

    rig.testbot.app.bot.channel_membership = spy  # type: ignore[method-assign]
    await rig.alice.kick(room, rig.bot.user_id)
    await asyncio.wait_for(changed.wait(), 30)
    async with rig.testbot.app.db.session() as session:
        channel = await find_channel(session, Conversation("matrix", room))
    assert channel is not None and not channel.active
    with pytest.raises(ChannelUnavailable):
        await rig.adapter.sender.send(Reply(Conversation("matrix", room), "still here?"))


async def test_a_briefing_sends_its_text_then_its_chart_as_an_image(rig: MatrixRig) -> None:
    room = await rig.room()
    png = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 64
    briefing = WeeklyBriefing(Conversation("matrix", room), "**Week 17**",
                              image=Image(png, "week.png", "Papers by day"))  # fmt: skip
    sent = await rig.adapter.sender.send(briefing)
    text, image = await rig.alice.messages(room, rig.bot.user_id)
    assert text["event_id"] == sent and text["content"]["body"] == "Week 17"
    assert image["content"]["msgtype"] == "m.image" and image["content"]["body"] == "Papers by day"
    assert image["content"]["url"].startswith("mxc://localhost/")
