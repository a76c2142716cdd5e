"""The small frozen dataclasses the core speaks: conversations, incoming and outgoing messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.digest.model import Digest, DigestPaper


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


@dataclass(frozen=True)
class OutgoingMessage:
    """What the core wants said: neutral Markdown plus the structure behind it.

    `kind` tells an adapter how to render it: "reply" (a command's answer), "digest_header",
    "digest_paper", "answer", "error", or "typing" (no text: show that the bot is working, e.g.
    a reaction on `reply_to` or the platform's typing indicator). `digest`/`paper` carry the
    structure so an adapter can render natively instead of from Markdown. `reply_to` is the
    platform id of the message this one answers, when there is one. `marker` is an idempotency
    key for scheduled posts: a sender that is a `PostFinder` uses it (attached to the post as
    message metadata, say) to answer `find_posted` so a resumed delivery never re-posts.
    `image` is an optional PNG shown with the message (a file upload or a photo)
    named `image_name`, with `image_alt` as its alt text; the text stands alone without it.
    """

    conversation: Conversation
    text: str
    kind: str = "reply"
    ephemeral: bool = False
    digest: Digest | None = None
    paper: DigestPaper | None = None
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    reply_to: str | None = None
    marker: str | None = None
    image: bytes | None = None
    image_name: str = ""
    image_alt: str = ""


class ChannelUnavailable(Exception):
    """Raised by a Sender when the bot can no longer post there (removed, kicked, archived)."""

    def __init__(self, conversation: Conversation, reason: str) -> None:
        super().__init__(f"{conversation.platform}:{conversation.channel}: {reason}")
        self.conversation = conversation
        self.reason = reason


class Sender(Protocol):
    """Posts an outgoing message on a platform; returns the platform's message reference."""

    async def send(self, message: OutgoingMessage) -> str | None:
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

    def pending_note(self, message: OutgoingMessage, after: str | None) -> str:
        """What to keep with the pending record (short; "" when nothing is needed)."""
        ...

    async def find_posted(self, message: OutgoingMessage, note: str) -> str | None:
        """The platform id of this post if it already went out, else None."""
        ...
