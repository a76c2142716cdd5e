"""`post_once`: the one way a post goes out exactly once (digests, briefings, follow-ups)."""

from __future__ import annotations

from bot.messages import Conversation
from bot.pending import PENDING, post_once
from bot.posts import Post, Reply
from tests.fakes.senders import RecordingSender

HERE = Conversation("console", "lab")


class FindingSender(RecordingSender):
    """A PostFinder: its note is the text; it finds a post already sent with that text."""

    def pending_note(self, message: Post, after: str | None) -> str:
        return f"{after}|{message.text}"

    async def find_posted(self, message: Post, note: str) -> str | None:
        texts = self.texts
        return f"m{texts.index(message.text) + 1}" if message.text in texts else None


async def test_a_first_attempt_is_recorded_pending_then_with_its_id() -> None:
    sender, recorded = RecordingSender(), []

    async def record(ref: str) -> None:
        recorded.append(ref)

    assert await post_once(sender, Reply(HERE, "hello"), record) == "m1"
    assert recorded == [PENDING, "m1"] and sender.texts == ["hello"]


async def test_a_resumed_post_that_went_out_is_found_not_sent_again() -> None:
    sender, recorded = FindingSender(), []

    async def record(ref: str) -> None:
        recorded.append(ref)

    await sender.send(Reply(HERE, "hello"))  # went out before the crash
    ref = await post_once(sender, Reply(HERE, "hello"), record, pending="pending:m0|hello")
    assert ref == "m1" and recorded == ["m1"] and sender.texts == ["hello"]
    ref = await post_once(sender, Reply(HERE, "other"), record, pending=PENDING, after="m1")
    assert ref == "m2" and recorded[1:] == ["pending:m1|other", "m2"]
    assert sender.texts == ["hello", "other"]
