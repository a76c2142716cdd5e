"""Posting exactly once: a post is recorded pending before it is sent, and the pending record is
replaced by the platform's message id after. On resume, a pending post is looked for on the
platform (when its sender is a `PostFinder`) and sent again only if it is not there.

`post_once` is the one place that does this, for digests, briefings and follow-ups alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.messages import Sender
from bot.posts import Post

PENDING = "pending"  # recorded before a post is sent ("pending:<note>"); then the platform's id
SENT = "sent"  # recorded for a post whose sender gave no message id (nothing to thread under)


def is_pending(ref: str | None) -> bool:
    """Is this recorded ref a post that was about to be sent (maybe sent, not yet recorded)?"""
    return ref is not None and (ref == PENDING or ref.startswith(PENDING + ":"))


def pending_ref(sender: Sender, message: Post, after: str | None) -> str:
    """The pending record for a post: "pending", plus the note a `PostFinder` sender wants."""
    noter = getattr(sender, "pending_note", None)
    note = noter(message, after) if noter is not None else ""
    return f"{PENDING}:{note}" if note else PENDING


async def find_posted(sender: Sender, message: Post, pending: str) -> str | None:
    """Ask the platform whether a pending post went out, when the sender can look posts up."""
    finder = getattr(sender, "find_posted", None)
    if finder is None:
        return None
    found: str | None = await finder(message, pending.partition(":")[2])
    return found


async def post_once(
    sender: Sender,
    post: Post,
    record: Callable[[str], Awaitable[None]],
    *,
    pending: str | None = None,
    after: str | None = None,
) -> str:
    """Send `post` exactly once: record it pending, send it, record the platform's reference.

    `pending` is what a crashed attempt left recorded (None: a first attempt): the platform is
    asked for the post first, and it is sent only if not found. `after` is the platform id of
    the conversation's last recorded post, for a sender that looks posts up after it.
    `record(ref)` stores a pending record or a reference; the returned ref is the last stored.
    """
    if pending is not None:
        found = await find_posted(sender, post, pending)
        if found is not None:
            await record(found)
            return found
    await record(pending_ref(sender, post, after))
    ref = await sender.send(post) or SENT
    await record(ref)
    return ref
