"""The pending record of a scheduled post: written before it is sent, replaced by the
platform's message id after. On resume, a pending post is looked for on the platform (when
its sender is a `PostFinder`) and sent again only if it is not there."""

from __future__ import annotations

from bot.messages import OutgoingMessage, Sender

PENDING = "pending"  # recorded before a post is sent ("pending:<note>"); then the platform's id
SENT = "sent"  # recorded for a post whose sender gave no message id (nothing to thread under)


def is_pending(ref: str | None) -> bool:
    """Is this recorded ref a post that was about to be sent (maybe sent, not yet recorded)?"""
    return ref is not None and (ref == PENDING or ref.startswith(PENDING + ":"))


def pending_ref(sender: Sender, message: OutgoingMessage, after: str | None) -> str:
    """The pending record for a post: "pending", plus the note a `PostFinder` sender wants."""
    noter = getattr(sender, "pending_note", None)
    note = noter(message, after) if noter is not None else ""
    return f"{PENDING}:{note}" if note else PENDING


async def find_posted(sender: Sender, message: OutgoingMessage, pending: str) -> str | None:
    """Ask the platform whether a pending post went out, when the sender can look posts up."""
    finder = getattr(sender, "find_posted", None)
    if finder is None:
        return None
    found: str | None = await finder(message, pending.partition(":")[2])
    return found
