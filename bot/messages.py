"""The small frozen dataclasses the core speaks: conversations, incoming messages, buttons.

What the core sends is a post (bot/posts.py); a Sender posts it on a platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.posts import Post


@dataclass(frozen=True)
class Conversation:
    """Where a message lives: platform, workspace, channel and optionally a thread."""

    platform: str  # an adapter's registered name, e.g. "console"
    channel: str
    workspace: str = ""
    thread: str | None = None

    def in_thread(self, thread: str | None) -> Conversation:
        """The same conversation, in the given thread."""
        return Conversation(self.platform, self.channel, self.workspace, thread)


@dataclass(frozen=True)
class IncomingMessage:
    """Something a person said to the bot: a command or a question."""

    conversation: Conversation
    text: str
    user: str = ""
    is_admin: bool = True  # may change the channel's subscription (groups restrict this)
    message_id: str | None = None


@dataclass(frozen=True)
class IncomingAction:
    """A button pressed on one of the bot's messages (👍, 👎, Review, Ask, …)."""

    conversation: Conversation
    action: str  # a Button.action
    value: str  # the Button.value, usually a paper key
    user: str = ""
    is_admin: bool = True


@dataclass(frozen=True)
class Button:
    """An action a person can take on a message (feedback, review, ask)."""

    action: str  # "like" | "dislike" | "review" | "ask" | "more"
    label: str
    value: str  # usually the paper key


class ChannelUnavailable(Exception):
    """Raised by a Sender when the bot can no longer post there (removed, kicked, archived)."""

    def __init__(self, conversation: Conversation, reason: str) -> None:
        super().__init__(f"{conversation.platform}:{conversation.channel}: {reason}")
        self.conversation = conversation
        self.reason = reason


class Sender(Protocol):
    """Posts an outgoing message on a platform; returns the platform's message reference."""

    async def send(self, message: Post) -> str | None:
        """Post the message; return the platform's id for it when there is one."""
        ...


class PostFinder(Protocol):
    """A Sender that can tell, after a crash, whether a scheduled post already went out.

    Before a scheduled post is sent, the core records it as pending together with
    `pending_note(message, after)`: what the platform needs to recognise the post later
    (`after` is the platform id of the channel's last recorded post, when there is one). On
    resume it asks `find_posted(message, note)` with the note it kept, and sends only if that
    finds nothing. A platform with message metadata needs no note (the post carries
    `message.marker`); one without keeps the id to look after and a hash of the post's text
    (adapters/README.md).
    """

    def pending_note(self, message: Post, after: str | None) -> str:
        """What to keep with the pending record (short; "" when nothing is needed)."""
        ...

    async def find_posted(self, message: Post, note: str) -> str | None:
        """The platform id of this post if it already went out, else None."""
        ...
