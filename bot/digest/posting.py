"""Posting a channel's digest exactly once: claim, plan, post, record, resume.

Every digest goes through here: the scheduled one (`deliver`), `digest now` (`post_now`, a
delivery of its own), and a single scheduled post such as the weekly briefing (`deliver_one`).
Each post goes out through `bot.pending.post_once`.

The claim (one per channel and date) keeps replicas from doubling a digest. The plan (the
papers chosen, stored before anything is posted) makes a resumed delivery post the same
digest. Each post is recorded as pending before it is sent and with its platform id after, so
a resume skips what went out. For a post left pending by a crash, a sender that is a
`PostFinder` is asked whether it already went out (by the marker in its message metadata,
or by probing the message ids after the last recorded post for the text hash kept in the
pending record), so it is sent only if it did not. A sender that cannot look posts
up may post that one message again (at-least-once for it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import structlog

from bot.digest.corpus import CorpusCache
from bot.digest.model import Digest
from bot.digest.plan import save_plan, save_positions, selection_plan, stored_selection
from bot.digest.service import DigestService, Selection
from bot.i18n import labels
from bot.messages import ChannelUnavailable, Conversation, Sender
from bot.models import Channel, Delivery, Topic, utcnow
from bot.pending import PENDING, is_pending, post_once
from bot.posts import DigestHeader, PaperPost, Post, digest_posts
from bot.store.channels import set_channel_active
from bot.store.db import Database
from bot.store.deliveries import (
    claim_delivery,
    last_message_ref,
    open_delivery,
    posted_papers,
    record_delivered,
    renew_claim,
    set_message_ref,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one channel's scheduled digest went."""

    channel_id: int
    digest_date: date
    status: str  # sent | quiet | no_announcements | held | unavailable | lost_claim | stopped
    posted: int = 0


class DigestPoster:
    """Posts digests (and single scheduled posts) through platform senders, each exactly once."""

    def __init__(
        self,
        db: Database,
        digests: DigestService,
        replica: str,
        lease: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._digests = digests
        self._replica = replica
        self._lease = lease
        self._clock = clock
        self.stop_requested = False  # set on shutdown: finish the current post, then stop

    @property
    def db(self) -> Database:
        """The store deliveries are recorded in."""
        return self._db

    @property
    def digests(self) -> DigestService:
        """The service digests are selected and assembled with."""
        return self._digests

    @property
    def replica(self) -> str:
        """This replica's name on its claims."""
        return self._replica

    @property
    def lease(self) -> timedelta:
        """How long a claim holds without renewal."""
        return self._lease

    def clock(self) -> datetime:
        """Now, as this poster sees it."""
        return self._clock()

    async def deliver(
        self,
        channel: Channel,
        topics: list[Topic],
        digest_date: date,
        sender: Sender,
        notes: tuple[str, ...] = (),
        corpora: CorpusCache | None = None,
    ) -> DeliveryOutcome:
        """Claim, compose (or resume) and post the channel's digest for `digest_date`.

        `corpora` lets the channels of one run share the day's indexed papers.
        """
        assert channel.id is not None
        async with self._db.session() as session:
            delivery = await claim_delivery(
                session, channel.id, digest_date, self._replica, self._clock(), self._lease
            )
        if delivery is None:
            return DeliveryOutcome(channel.id, digest_date, "held")
        log.info("delivering", channel_id=channel.id, delivery_id=delivery.id,
                 date=str(digest_date), resumed=delivery.plan is not None)  # fmt: skip
        selection = await self._selection(channel, topics, delivery, corpora)
        try:
            return await self._post(channel, delivery, selection, sender, notes)
        except ChannelUnavailable as gone:
            return await self.retire(channel, delivery, str(gone))

    async def deliver_one(
        self,
        channel: Channel,
        day: date,
        kind: str,
        sender: Sender,
        plan: Callable[[], Awaitable[dict[str, Any] | None]],
        compose: Callable[[dict[str, Any]], Awaitable[Post]],
    ) -> DeliveryOutcome:
        """Claim the channel's `kind` post for `day` and post it once (the weekly briefing).

        `plan()` makes what the post will show (None: nothing to post), stored before posting
        so a resume posts the same; `compose(plan)` renders it. The post goes out as the
        delivery's header (recorded pending, then found by marker or sent on resume).
        """
        assert channel.id is not None
        async with self._db.session() as session:
            delivery = await claim_delivery(session, channel.id, day, self._replica,
                                            self._clock(), self._lease, kind)  # fmt: skip
        if delivery is None:
            return DeliveryOutcome(channel.id, day, "held")
        assert delivery.id is not None
        if delivery.plan is None:
            made = await plan()
            if made is None:
                await self._finish(delivery.id, "quiet", 0)
                return DeliveryOutcome(channel.id, day, "quiet")
            await save_plan(self._db, delivery, made)
        if self.stop_requested:
            return DeliveryOutcome(channel.id, day, "stopped")
        try:
            if delivery.header_ref is None or is_pending(delivery.header_ref):
                await self._post_header(await compose(delivery.plan or {}), delivery, sender)
        except ChannelUnavailable as gone:
            return await self.retire(channel, delivery, str(gone))
        await self._finish(delivery.id, "sent", 1)
        return DeliveryOutcome(channel.id, day, "sent", 1)

    async def _selection(
        self,
        channel: Channel,
        topics: list[Topic],
        delivery: Delivery,
        corpora: CorpusCache | None,
    ) -> Selection:
        if delivery.plan is not None:
            return await stored_selection(self._db, delivery.plan)
        chosen_at = self._clock()  # the next digest takes what is first seen after this
        selection = await self._digests.select(
            channel, topics, delivery.digest_date, corpora=corpora
        )
        await save_plan(self._db, delivery, selection_plan(selection, chosen_at))
        return selection

    async def _post(
        self,
        channel: Channel,
        delivery: Delivery,
        selection: Selection,
        sender: Sender,
        notes: tuple[str, ...],
    ) -> DeliveryOutcome:
        conversation = Conversation(channel.platform, channel.channel, channel.workspace)
        assert channel.id is not None and delivery.id is not None
        if not selection.selected:
            status = "no_announcements" if selection.corpus_size == 0 else "quiet"
            if status == "quiet" and not channel.quiet and delivery.header_ref is None:
                text = labels(channel.language)["nothing"].format(date=delivery.digest_date)
                await self._post_header(DigestHeader(conversation, note=text), delivery, sender)
                status = "sent"
            await self._finish(delivery.id, status, 0)
            return DeliveryOutcome(channel.id, delivery.digest_date, status)
        digest = await self._digests.assemble(channel, delivery.digest_date, selection, notes)
        posted = await self._post_digest(digest, conversation, delivery, sender)
        if posted is None:
            status = "stopped" if self.stop_requested else "lost_claim"
            return DeliveryOutcome(channel.id, delivery.digest_date, status)
        await self._finish(delivery.id, "sent", len(digest.papers))
        return DeliveryOutcome(channel.id, delivery.digest_date, "sent", posted)

    async def post_now(self, channel: Channel, digest: Digest, sender: Sender) -> int:
        """`digest now`: recorded as a delivery of its own, then posted like a scheduled one.

        The caller holds the channel's `digest now` lease; returns how many papers were posted.
        """
        assert channel.id is not None
        conversation = Conversation(channel.platform, channel.channel, channel.workspace)
        async with self._db.session() as session:
            delivery = await open_delivery(
                session, channel.id, self._clock().date(), self._replica, self._clock()
            )
        assert delivery.id is not None
        posted = await self._post_digest(digest, conversation, delivery, sender)
        await self._finish(delivery.id, "sent", posted or 0)
        return posted or 0

    async def _post_digest(
        self, digest: Digest, conversation: Conversation, delivery: Delivery, sender: Sender
    ) -> int | None:
        """Post what is not posted yet; None when stopped or the claim was lost."""
        assert delivery.id is not None
        async with self._db.session() as session:
            recorded = await posted_papers(session, delivery.id)
        header, *papers = digest_posts(digest, conversation)
        if delivery.header_ref is None or is_pending(delivery.header_ref):
            numbers = {p.number: p.paper_id for p in digest.papers}
            await save_positions(self._db, delivery, numbers)
            await self._post_header(header, delivery, sender)
        posted, last = 0, delivery.header_ref
        for post in papers:
            assert isinstance(post, PaperPost)
            paper_id = post.paper.paper_id
            if not is_pending(recorded.get(paper_id, PENDING)):
                last = recorded[paper_id]
                continue
            if self.stop_requested:
                return None  # the claim stays; a restart resumes from here
            last = await self._post_paper(post, delivery.id, recorded.get(paper_id), sender, last)
            async with self._db.session() as session:
                if not await renew_claim(session, delivery.id, self._replica, self._clock()):
                    return None
            posted += 1
        return posted

    async def _post_paper(
        self,
        post: PaperPost,
        delivery_id: int,
        pending: str | None,
        sender: Sender,
        after: str | None,
    ) -> str:
        """Post a paper once: recorded as delivered (pending) before it is sent."""
        paper = post.paper
        post = replace(post, marker=f"paperbot:{delivery_id}:{paper.paper_id}")
        recorded = pending is not None

        async def record(ref: str) -> None:
            nonlocal recorded
            async with self._db.session() as session:
                if recorded:
                    await set_message_ref(session, delivery_id, paper.paper_id, ref)
                    return
                await record_delivered(
                    session, paper_id=paper.paper_id, channel_id=post.digest.channel_id,
                    version=paper.version, delivery_id=delivery_id, position=paper.number,
                    message_ref=ref,
                )  # fmt: skip
                recorded = True

        return await post_once(sender, post, record, pending=pending, after=after)

    async def _post_header(self, header: Post, delivery: Delivery, sender: Sender) -> None:
        assert delivery.id is not None
        header = replace(header, marker=f"paperbot:{delivery.id}:header")
        pending = delivery.header_ref if is_pending(delivery.header_ref) else None
        async with self._db.session() as session:
            after = await last_message_ref(session, delivery.channel_id)

        async def record(ref: str) -> None:
            assert delivery.id is not None
            await self._set_header(delivery.id, ref)

        delivery.header_ref = await post_once(sender, header, record, pending=pending, after=after)

    async def _set_header(self, delivery_id: int, ref: str) -> None:
        async with self._db.session() as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            row.header_ref = ref
            session.add(row)

    async def _finish(self, delivery_id: int, status: str, papers: int, error: str = "") -> None:
        async with self._db.session() as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            row.status, row.papers, row.finished_at = status, papers, utcnow()
            row.error = error or None
            session.add(row)

    async def retire(self, channel: Channel, delivery: Delivery, reason: str) -> DeliveryOutcome:
        """The channel is gone: mark it inactive and its delivery unavailable."""
        assert channel.id is not None and delivery.id is not None
        conversation = Conversation(channel.platform, channel.channel, channel.workspace)
        async with self._db.session() as session:
            await set_channel_active(session, conversation, False)
        await self._finish(delivery.id, "unavailable", 0, reason)
        log.warning("channel unavailable", channel_id=channel.id, reason=reason)
        return DeliveryOutcome(channel.id, delivery.digest_date, "unavailable")
