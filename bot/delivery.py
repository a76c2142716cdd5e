"""Posting a digest through a Sender: the header, then one message per paper, each recorded."""

from __future__ import annotations

from bot.digest.model import Digest, DigestPaper
from bot.digest.render import header_markdown, paper_markdown
from bot.messages import Button, Conversation, OutgoingMessage, Sender
from bot.store.db import Database
from bot.store.deliveries import record_delivered


def paper_buttons(paper: DigestPaper) -> tuple[Button, ...]:
    """The actions offered on every paper post."""
    return (
        Button("like", "👍", paper.key),
        Button("dislike", "👎", paper.key),
        Button("review", "Review", paper.key),
        Button("ask", "Ask", paper.key),
        Button("more", "More like this", paper.key),
    )


def digest_messages(digest: Digest, conversation: Conversation) -> list[OutgoingMessage]:
    """The header message followed by one message per paper."""
    header = OutgoingMessage(
        conversation, header_markdown(digest), kind="digest_header", digest=digest
    )
    return [header] + [
        OutgoingMessage(
            conversation,
            paper_markdown(paper, digest.language),
            kind="digest_paper",
            digest=digest,
            paper=paper,
            buttons=paper_buttons(paper),
        )
        for paper in digest.papers
    ]


async def send_digest(
    db: Database,
    digest: Digest,
    conversation: Conversation,
    sender: Sender,
    *,
    record: bool,
    delivery_id: int | None = None,
    skip_paper_ids: frozenset[int] = frozenset(),
) -> int:
    """Post the digest; with `record`, each paper is recorded as delivered right after it is sent.

    Papers in `skip_paper_ids` were already posted (a resumed delivery) and are not sent again.
    Returns how many paper messages were sent.
    """
    messages = digest_messages(digest, conversation)
    sent = 0
    if not skip_paper_ids:
        await sender.send(messages[0])
    for message in messages[1:]:
        paper = message.paper
        assert paper is not None
        if paper.paper_id in skip_paper_ids:
            continue
        ref = await sender.send(message)
        sent += 1
        if record:
            async with db.session() as session:
                await record_delivered(
                    session,
                    digest.channel_id,
                    paper.paper_id,
                    paper.version,
                    delivery_id=delivery_id,
                    position=paper.number,
                    message_ref=ref,
                )
    return sent
