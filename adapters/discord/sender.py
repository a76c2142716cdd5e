"""Posting the core's posts to Discord channels and threads (REST), exactly once.

A post in a thread (an answer, a follow-up) goes to the thread channel whose id is the paper
message's id; when no thread was started from that message yet, one is started
(`POST /channels/{channel}/messages/{message}/threads`) and the post goes there. Typing is
`POST /channels/{id}/typing`. 50001 Missing Access, 50013 Missing Permissions and 10003
Unknown Channel raise ChannelUnavailable.

Exactly once (a `PostFinder`): a scheduled post carries a nonce made from its marker with
`enforce_nonce`, so Discord itself drops a repeat of a send that went through within its
few minutes (a retry after a lost answer); for a resume after longer, the pending record
keeps the id of the channel's last post and a fingerprint of the post, and `find_posted`
looks through the bot's messages after that id. Discord gives no nonce back on fetched
messages, hence the fingerprint.
"""

from __future__ import annotations

import json
from typing import Any

import discord
import structlog

from adapters.discord.render import fingerprint, nonce, render
from adapters.discord.rest import GONE, UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, Rest, error_code
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import DigestHeader, Image, PaperPost, Post, Typing, WeeklyBriefing

log = structlog.get_logger(__name__)
OWN_THREAD_POSTS = (DigestHeader, PaperPost)  # posts that start a thread of their own
HISTORY_PAGES = 5  # x100 messages a resumed delivery looks through
THREAD_NAME = "Questions"
MAX_THREAD_NAME = 100
WEEK = 10080  # minutes a quiet thread stays open
Payload = dict[str, Any]


class DiscordSender:
    """The Discord `Sender` (and `PostFinder`): returns the first part's message id."""

    def __init__(self, rest: Rest, bot_user_id: str = "") -> None:
        self.rest = rest
        self.bot_user_id = bot_user_id

    async def send(self, message: Post) -> str | None:
        """Post every part of the message; raise ChannelUnavailable when the bot can't."""
        conversation = message.conversation
        in_thread = bool(conversation.thread) and not isinstance(message, OWN_THREAD_POSTS)
        if isinstance(message, Typing):
            await self.typing(conversation, in_thread)
            return None
        ids: list[str] = []
        for n, part in enumerate(render(message)):
            part.pop("flags", None)  # ephemeral needs an interaction: a plain post is public
            if message.marker:
                part |= {"nonce": nonce(message.marker, n), "enforce_nonce": True}
            sent = await (self._in_thread(conversation, part) if in_thread
                          else self.post(conversation, conversation.channel, part))  # fmt: skip
            ids.append(str(sent["id"]))
        if isinstance(message, WeeklyBriefing) and message.image is not None:
            await self._upload(conversation, message.image)
        return ids[0] if ids else None

    async def post(self, conversation: Conversation, channel: str, payload: Payload) -> Payload:
        """POST one message to a channel (or thread) id."""
        try:
            sent: Payload = await self.rest.call(
                "POST", "/channels/{channel_id}/messages", json=payload, channel_id=channel
            )
        except discord.HTTPException as error:
            raise_if_gone(error, conversation)
            raise
        return sent

    async def _in_thread(self, conversation: Conversation, payload: Payload) -> Payload:
        """Post in the thread of `conversation.thread`, starting it from that message first if
        there is none yet (a message that no longer exists: a reply in the channel)."""
        thread = str(conversation.thread)
        try:
            return await self.rest.call(
                "POST", "/channels/{channel_id}/messages", json=payload, channel_id=thread
            )
        except discord.HTTPException as error:
            if error_code(error) != UNKNOWN_CHANNEL:
                raise_if_gone(error, conversation)
                raise
        started = await self.start_thread(conversation, thread, THREAD_NAME)
        if started is None:
            reference = {"message_id": thread, "fail_if_not_exists": False}
            return await self.post(conversation, conversation.channel,
                                   payload | {"message_reference": reference})  # fmt: skip
        return await self.post(conversation, started, payload)

    async def start_thread(self, conversation: Conversation, message: str, name: str) -> str | None:
        """Start a thread from a message (its id becomes the thread's); None if the message is
        gone. A thread already there is fine (160004): its id is the message's."""
        try:
            created = await self.rest.call(
                "POST", "/channels/{channel_id}/messages/{message_id}/threads",
                json={"name": name[:MAX_THREAD_NAME] or THREAD_NAME, "auto_archive_duration": WEEK},
                channel_id=conversation.channel, message_id=message,
            )  # fmt: skip
        except discord.HTTPException as error:
            if error_code(error) == 160004:  # a thread has already been created for this message
                return message
            if error_code(error) == UNKNOWN_MESSAGE:
                return None
            raise_if_gone(error, conversation)
            raise
        return str(created["id"])

    async def typing(self, conversation: Conversation, in_thread: bool) -> None:
        """Show the bot typing where the answer will go (a courtesy: failures are logged)."""
        channel = str(conversation.thread) if in_thread else conversation.channel
        try:
            await self.rest.call("POST", "/channels/{channel_id}/typing", channel_id=channel)
        except discord.HTTPException as error:
            if error_code(error) not in GONE or not in_thread:
                raise_if_gone(error, conversation)
            log.info("discord typing failed", channel=channel, code=error_code(error))

    async def _upload(self, conversation: Conversation, image: Image) -> None:
        """The post's image after its text, as an attachment (a failure is logged)."""
        attachment = {"id": 0, "filename": image.name, "description": image.alt[:1024]}
        payload = {"attachments": [attachment], "allowed_mentions": {"parse": []}}
        form = [{"name": "payload_json", "value": json.dumps(payload)},
                {"name": "files[0]", "value": image.data, "filename": image.name,
                 "content_type": "image/png"}]  # fmt: skip
        try:
            await self.rest.call("POST", "/channels/{channel_id}/messages", form=form,
                                 channel_id=conversation.channel)  # fmt: skip
        except discord.HTTPException as error:  # the text, which carries the table, went out
            raise_if_gone(error, conversation)
            log.warning("discord image upload failed", code=error_code(error))

    def pending_note(self, message: Post, after: str | None) -> str:
        """The channel's last recorded post id (or nothing) and the post's fingerprint."""
        parts = render(message) if not isinstance(message, Typing) else []
        return f"{after or ''}/{fingerprint(parts[0])}" if parts else ""

    async def find_posted(self, message: Post, note: str) -> str | None:
        """The id of the bot's message matching the note's fingerprint, after the note's id."""
        after, sep, wanted = note.partition("/")
        if not sep or not wanted:
            return None
        conversation = message.conversation
        in_thread = bool(conversation.thread) and not isinstance(message, OWN_THREAD_POSTS)
        channel = str(conversation.thread) if in_thread else conversation.channel
        params: dict[str, Any] = {"limit": 100} | ({"after": after} if after else {})
        for _page in range(HISTORY_PAGES):
            try:
                page: list[Payload] = await self.rest.call(
                    "GET", "/channels/{channel_id}/messages", params=params, channel_id=channel
                )
            except discord.HTTPException as error:
                raise_if_gone(error, conversation)
                raise
            found = self._match(page, wanted)
            if found is not None or len(page) < 100:
                return found
            ids = [int(m["id"]) for m in page]
            params = {"limit": 100} | ({"after": max(ids)} if after else {"before": min(ids)})
        return None

    def _match(self, page: list[Payload], wanted: str) -> str | None:
        """The oldest of the bot's messages in the page with the wanted fingerprint."""
        mine = [m for m in page if str((m.get("author") or {}).get("id")) == self.bot_user_id]
        for item in sorted(mine, key=lambda m: int(m["id"])):
            if fingerprint(item) == wanted:
                return str(item["id"])
        return None


def raise_if_gone(error: discord.HTTPException, conversation: Conversation) -> None:
    """Raise ChannelUnavailable for the errors that mean the bot can't post in the channel."""
    code = error_code(error)
    if code in GONE:
        raise ChannelUnavailable(conversation, f"{code} {error.text or ''}".strip()) from error
