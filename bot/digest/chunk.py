"""Delivering a chunk of due channels together: one claim, one selection, bulk records.

Per channel the protocol is `bot.digest.posting`'s: claimed once, the plan stored before
anything is posted, each post recorded pending before it is sent and with its platform id
after. Only the store work is shared: the chunk's claims are one insert, its plans one
executemany, its post records group-committed (`RecordWriter`). A delivery that is not a
fresh claim (a restart's, or a lease that ran out) goes through `DigestPoster.deliver`.

Every channel of the chunk gets its header and top paper before any gets the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import structlog

from bot.digest.corpus import CorpusCache
from bot.digest.plan import selection_plan
from bot.digest.posting import DeliveryOutcome, DigestPoster
from bot.digest.service import Selection
from bot.digest.writer import RecordWriter
from bot.i18n import labels
from bot.messages import ChannelUnavailable, Conversation, Sender
from bot.models import Channel, Delivery, Topic, utcnow
from bot.pending import post_once
from bot.posts import DigestHeader, PaperPost, Post, digest_posts
from bot.store.bulk import (
    claim_many,
    clear_positions,
    finish_many,
    last_message_refs,
    save_plans,
    won_now,
)
from bot.store.positions import numbered

log = structlog.get_logger(__name__)
FIRST_WAVE = 2  # the header and the top paper, for every channel, before the rest


@dataclass(frozen=True)
class Due:
    """A channel whose digest for `day` is due, the sender to post through, footer notes."""

    channel: Channel
    topics: list[Topic]
    day: date
    sender: Sender
    notes: tuple[str, ...] = ()


@dataclass
class _Job:
    """One channel's posts in the chunk, and how far they went."""

    due: Due
    delivery: Delivery
    posts: list[Post]
    papers: int  # how many the digest has (0: a "nothing new" header alone)
    after: str | None = None  # the platform id of the channel's last recorded post
    sent: int = 0  # posts sent so far (the header is the first)
    status: str = "sent"
    unsettled: asyncio.Future[None] | None = None  # the last post's ref, queued, not awaited

    async def settle(self) -> None:
        """Wait for the last post's queued ref to be durable (raises if it was not stored)."""
        if self.unsettled is not None:
            queued, self.unsettled = self.unsettled, None
            await queued

    @property
    def delivery_id(self) -> int:
        """The delivery's id."""
        assert self.delivery.id is not None
        return self.delivery.id


@dataclass(frozen=True)
class Prepared:
    """A chunk claimed, selected and planned: the jobs to post by day, the deliveries to
    resume, and the outcomes already decided (held elsewhere, quiet)."""

    chunk: list[Due]
    planned: list[tuple[date, int, list[_Job]]]  # (day, channels claimed, jobs)
    resumed: list[Due]
    outcomes: list[DeliveryOutcome]


class ChunkDelivery:
    """Delivers chunks of due digests through one `DigestPoster`'s store and protocol."""

    def __init__(self, poster: DigestPoster, concurrency: int) -> None:
        self._poster = poster
        self._limit = asyncio.Semaphore(concurrency)
        self._writer = RecordWriter(poster.db, poster.replica, poster.clock, poster.lease / 4)

    async def prepare(self, chunk: Sequence[Due], corpora: CorpusCache) -> Prepared:
        """Claim, select and plan the chunk's digests (plans stored): all but the posting.

        A run prepares the next chunk while this one posts, so the selection's work fills
        the time the posts wait for the store."""
        now = self._poster.clock()
        async with self._poster.db.session() as session:
            wanted = [(d.channel.id or 0, d.day) for d in chunk]
            claims = await claim_many(session, wanted, self._poster.replica, now)
        fresh: dict[date, list[tuple[Due, Delivery]]] = {}
        resumed, outcomes = [], []
        for due in chunk:
            row = claims.get(due.channel.id or 0)
            if row is None or row.status != "claimed":
                outcomes.append(DeliveryOutcome(due.channel.id or 0, due.day, "held"))
            elif won_now(row, self._poster.replica, now):
                fresh.setdefault(due.day, []).append((due, row))
                self._writer.claimed([row.id or 0], now)
            else:
                resumed.append(due)
        planned = []
        for day, claimed in fresh.items():
            chosen_at = self._poster.clock()  # the next digest takes what is first seen after
            selections = await self._poster.digests.select_many(
                [(d.channel, d.topics) for d, _ in claimed], day, corpora=corpora
            )
            jobs, done = await self._plan(day, claimed, selections, chosen_at, corpora)
            planned.append((day, len(claimed), jobs))
            outcomes += done
        return Prepared(list(chunk), planned, resumed, outcomes)

    async def post(self, prepared: Prepared, corpora: CorpusCache) -> list[DeliveryOutcome]:
        """Post a prepared chunk (and resume its unfinished deliveries); one outcome each."""
        outcomes = list(prepared.outcomes)
        for day, claimed, jobs in prepared.planned:
            outcomes += await self._post_planned(day, claimed, jobs)
        outcomes += await asyncio.gather(*(self._resume(d, corpora) for d in prepared.resumed))
        order = {due.channel.id: n for n, due in enumerate(prepared.chunk)}
        return sorted(outcomes, key=lambda o: order.get(o.channel_id, 0))

    def stopped(self, prepared: Prepared) -> list[DeliveryOutcome]:
        """A prepared chunk left unposted at a stop: its claims and plans stay for a restart."""
        decided = {o.channel_id for o in prepared.outcomes}
        left = [d for d in prepared.chunk if d.channel.id not in decided]
        stopped = [DeliveryOutcome(d.channel.id or 0, d.day, "stopped") for d in left]
        return [*prepared.outcomes, *stopped]

    async def _resume(self, due: Due, corpora: CorpusCache) -> DeliveryOutcome:
        async with self._limit:
            if self._poster.stop_requested:
                return DeliveryOutcome(due.channel.id or 0, due.day, "stopped")
            return await self._poster.deliver(
                due.channel, due.topics, due.day, due.sender, due.notes, corpora
            )

    async def _post_planned(
        self, day: date, claimed: int, jobs: list[_Job]
    ) -> list[DeliveryOutcome]:
        await self._post(jobs)
        finished = [(j.delivery_id, "sent", j.papers) for j in jobs if j.status == "sent"]
        async with self._poster.db.session() as session:
            await finish_many(session, finished)
        self._writer.forget(j.delivery_id for j in jobs)
        outcomes = [DeliveryOutcome(j.due.channel.id or 0, day, j.status, max(j.sent - 1, 0))
                    for j in jobs]  # fmt: skip
        log.info("delivered chunk", date=str(day), claimed=claimed, posted=len(jobs))
        return outcomes

    async def _plan(
        self,
        day: date,
        claimed: list[tuple[Due, Delivery]],
        selections: list[Selection],
        chosen_at: datetime,
        corpora: CorpusCache,
    ) -> tuple[list[_Job], list[DeliveryOutcome]]:
        """The chunk's digests assembled and their plans stored; jobs to post, outcomes done."""
        full = [(d, r, s) for (d, r), s in zip(claimed, selections, strict=True) if s.selected]
        digests = await self._poster.digests.assemble_many(
            [d.channel for d, _, _ in full], day, [s for *_, s in full],
            [d.notes for d, *_ in full], corpora,
        )  # fmt: skip
        jobs, plans, ended, outcomes = [], [], [], []
        for (due, row, selection), digest in zip(full, digests, strict=True):
            numbers = numbered({p.number: p.paper_id for p in digest.papers})
            plans.append((row, {**selection_plan(selection, chosen_at), "positions": numbers}))
            posts = digest_posts(digest, _address(due.channel), f"paperbot:{row.id}")
            jobs.append(_Job(due, row, posts, len(digest.papers)))
        for (due, row), selection in zip(claimed, selections, strict=True):
            if selection.selected:
                continue
            plans.append((row, selection_plan(selection, chosen_at)))
            status = "no_announcements" if selection.corpus_size == 0 else "quiet"
            if status == "quiet" and not due.channel.quiet:
                text = labels(due.channel.language)["nothing"].format(date=day)
                header = DigestHeader(_address(due.channel), note=text)
                jobs.append(_Job(due, row, _marked([header], row), 0))
            else:
                ended.append((row.id or 0, status, 0))
                outcomes.append(DeliveryOutcome(due.channel.id or 0, day, status))
        await self._store_plans(plans, ended, [j.due.channel.id or 0 for j in jobs if j.papers])
        await self._afters(jobs)
        return jobs, outcomes

    async def _store_plans(
        self,
        plans: list[tuple[Delivery, dict[str, Any]]],
        ended: list[tuple[int, str, int]],
        numbered_in: list[int],
    ) -> None:
        async with self._poster.db.session() as session:
            await save_plans(session, [(row.id or 0, plan) for row, plan in plans])
            await clear_positions(session, numbered_in)  # a preview's numbers give way
            await finish_many(session, ended)
        for row, plan in plans:
            row.plan = plan

    async def _afters(self, jobs: list[_Job]) -> None:
        """Each channel's last recorded post, for senders that note it in a pending record."""
        noting = [j.due.channel.id or 0 for j in jobs if hasattr(j.due.sender, "pending_note")]
        if not noting:
            return
        async with self._poster.db.session() as session:
            refs = await last_message_refs(session, noting)
        for job in jobs:
            job.after = refs.get(job.due.channel.id or 0)

    async def _post(self, jobs: list[_Job]) -> None:
        """Every channel's header and top paper, then the rest, `concurrency` at a time."""
        for upto in (FIRST_WAVE, None):
            await asyncio.gather(*(self._send(job, upto) for job in jobs))

    async def _send(self, job: _Job, upto: int | None) -> None:
        async with self._limit:
            end = len(job.posts) if upto is None else min(upto, len(job.posts))
            try:
                try:
                    while job.status == "sent" and job.sent < end:
                        await self._send_next(job)
                finally:
                    await job.settle()
            except ChannelUnavailable as gone:
                await self._poster.retire(job.due.channel, job.delivery, str(gone))
                job.status = "unavailable"

    async def _send_next(self, job: _Job) -> None:
        if job.delivery_id in self._writer.lost:
            job.status = "lost_claim"
            return
        if self._poster.stop_requested:
            job.status = "stopped"  # the claim stays; a restart resumes from here
            return
        post = job.posts[job.sent]
        record = self._recorder(job, post)
        job.after = await post_once(job.due.sender, post, record, after=job.after)
        job.sent += 1

    def _recorder(self, job: _Job, post: Post) -> Callable[[str], Awaitable[None]]:
        """The post's pending record (awaited, with the ref queued before it), then its ref
        (queued: the next pending record, or the end of the wave, waits for it)."""
        writer, delivery_id = self._writer, job.delivery_id
        state = {"recorded": False}

        async def record(ref: str) -> None:
            if state["recorded"]:
                job.unsettled = (
                    writer.queue_paper_ref(delivery_id, post.paper.paper_id, ref)
                    if isinstance(post, PaperPost)
                    else writer.queue_header(delivery_id, ref)
                )
                return
            state["recorded"] = True
            if isinstance(post, PaperPost):
                await writer.paper(_delivered_row(post, delivery_id, ref))
            else:
                await writer.header(delivery_id, ref)
            await job.settle()  # committed in this batch or an earlier one: done already

        return record


def _delivered_row(post: PaperPost, delivery_id: int, pending: str) -> dict[str, Any]:
    """A paper post's delivered-papers row, its ref `pending`."""
    paper = post.paper
    return {"channel_id": post.digest.channel_id, "paper_id": paper.paper_id,
            "version": paper.version or 0, "delivery_id": delivery_id, "position": paper.number,
            "message_ref": pending, "sent_at": utcnow()}  # fmt: skip


def _address(channel: Channel) -> Conversation:
    return Conversation(channel.platform, channel.channel, channel.workspace)


def _marked(posts: list[Post], delivery: Delivery) -> list[Post]:
    """Posts with their idempotency markers, as `DigestPoster` sets them."""
    marked = []
    for post in posts:
        key = post.paper.paper_id if isinstance(post, PaperPost) else "header"
        marked.append(replace(post, marker=f"paperbot:{delivery.id}:{key}"))
    return marked
