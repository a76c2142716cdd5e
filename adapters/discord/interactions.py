"""Answering an interaction: the 3-second acknowledgement, then the answers as follow-ups.

A `/papers` command is acknowledged at once with a deferred, ephemeral response (callback
type 5: "paperbot is thinking…", seen only by the person); a button click with a deferred
update (type 6: nothing changes on the message). Then the core's posts go out through an
`InteractionSender`:
- ephemeral posts answer the person: a command's first one replaces the "thinking" response
  (`PATCH /webhooks/{app}/{token}/messages/@original`), later ones are ephemeral follow-ups
  (`POST /webhooks/{app}/{token}`);
- digest posts, and posts in a paper's thread, go to the channel like any scheduled post
  (they need ids of their own, for threads and for finding them again);
- other public posts are public follow-ups.
When the work ends without having replaced the "thinking" response, it is deleted.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import discord
import structlog

from adapters.discord.render import EPHEMERAL, render
from adapters.discord.rest import Rest
from adapters.discord.sender import OWN_THREAD_POSTS, DiscordSender
from bot.posts import Post, Typing

log = structlog.get_logger(__name__)
DEFERRED_MESSAGE, DEFERRED_UPDATE = 5, 6  # interaction callback types
ORIGINAL = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
# (webhook_id and webhook_token name the parts discord.py keys its rate-limit buckets on, so
# each interaction has its own bucket, as Discord counts them)
Payload = dict[str, Any]


async def acknowledge(rest: Rest, interaction: Payload, kind: int) -> None:
    """The interaction's callback (deferred): raises discord.HTTPException when Discord
    refuses it (10062 Unknown interaction: too late; 40060: acknowledged already)."""
    body: Payload = {"type": kind}
    if kind == DEFERRED_MESSAGE:
        body["data"] = {"flags": EPHEMERAL}
    await rest.call(
        "POST", "/interactions/{webhook_id}/{webhook_token}/callback", json=body,
        webhook_id=str(interaction["id"]), webhook_token=str(interaction["token"]),
    )  # fmt: skip


@dataclass
class InteractionSender:
    """Posts one interaction's answers (see the module's docstring)."""

    channel: DiscordSender
    application_id: str
    token: str
    replaces_original: bool  # a command (type 5); a click's original is the clicked message
    answered: bool = False

    async def send(self, message: Post) -> str | None:
        """Post the message where it belongs; return the first part's id."""
        if isinstance(message, Typing):
            return None  # Discord shows "thinking…" already
        public_thread = bool(message.conversation.thread) and not message.ephemeral
        if isinstance(message, OWN_THREAD_POSTS) or public_thread:
            return await self.channel.send(message)
        ids = [await self._answer(part) for part in render(message)]
        return ids[0] if ids else None

    async def _answer(self, part: Payload) -> str:
        if self.replaces_original and not self.answered and part.get("flags") == EPHEMERAL:
            self.answered = True
            edited = await self.channel.rest.call(
                "PATCH", ORIGINAL, json=_editable(part), webhook_id=self.application_id,
                webhook_token=self.token,
            )  # fmt: skip
            return str(edited["id"])
        followup = await self.channel.rest.call(
            "POST", "/webhooks/{webhook_id}/{webhook_token}", json=part,
            webhook_id=self.application_id, webhook_token=self.token,
        )  # fmt: skip
        return str(followup["id"])

    async def send_note(self, text: str) -> None:
        """An ephemeral note to the person (when the channel refused the bot)."""
        part: Payload = {"content": text, "flags": EPHEMERAL, "allowed_mentions": {"parse": []}}
        try:
            await self._answer(part)
        except discord.HTTPException as error:
            log.info("discord note failed", status=error.status)

    async def finish(self) -> None:
        """Delete the "thinking…" response if no answer replaced it."""
        if not self.replaces_original or self.answered:
            return
        with contextlib.suppress(discord.HTTPException):  # gone already, or the token expired
            await self.channel.rest.call(
                "DELETE", ORIGINAL, webhook_id=self.application_id, webhook_token=self.token
            )

    def pending_note(self, message: Post, after: str | None) -> str:
        """As the channel sender (scheduled posts from a command go to the channel)."""
        return self.channel.pending_note(message, after)

    async def find_posted(self, message: Post, note: str) -> str | None:
        """As the channel sender."""
        return await self.channel.find_posted(message, note)


def _editable(part: Payload) -> Payload:
    """An edit may not carry flags, a reference or a nonce."""
    return {k: v for k, v in part.items() if k not in ("flags", "message_reference", "nonce")}
