"""The follow-up job: re-check papers posted lately and reply in their threads, once.

Each run looks the last FOLLOWUP_DAYS of posted papers up again (arXiv in `id_list` batches
of FOLLOWUP_BATCH at the API's polite rate, bioRxiv/medRxiv one `details` call each, Crossref
only for a DOI that just appeared), compares with what the previous run saw, and claims one
follow-up per (channel, paper, kind) in the same transaction that stores what it saw. Only
then are they sent; a claim left pending by a crash is looked for on the platform (or sent)
by the next run, so nothing is said twice and nothing is lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import structlog

from bot.config import Settings
from bot.followups.detect import Event, Snapshot, code_links, events, merged
from bot.followups.kinds import switched_on
from bot.followups.lookups import Looked, crossref_details, look_arxiv, look_biorxiv
from bot.followups.render import render
from bot.messages import ChannelUnavailable, Conversation, Sender
from bot.models import Channel, Followup
from bot.pending import PENDING, post_once
from bot.posts import FollowupPost
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from bot.store.followups import (
    PostedPaper,
    claim_followup,
    posted_since,
    save_watches,
    set_followup_ref,
    unsent,
    watches,
)

log = structlog.get_logger(__name__)
RESUME_AFTER = timedelta(minutes=10)  # a pending claim this old was left by a crashed run
ARXIV_DOI_PREFIX = "10.48550/"


@dataclass
class FollowupReport:
    """What one run did."""

    checked: int = 0
    events: int = 0
    posted: int = 0
    errors: list[str] = field(default_factory=list)


async def run(
    db: Database,
    http: HttpFetcher,
    settings: Settings,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
) -> FollowupReport:
    """Re-check the posted papers, claim what changed, then send the claimed follow-ups."""
    report = FollowupReport()
    if settings.followup_days <= 0:
        return report
    async with db.session() as session:
        posted = await posted_since(session, now - timedelta(days=settings.followup_days))
        seen = await watches(session, sorted({p.paper.id or 0 for p in posted}))
    by_paper: dict[int, list[PostedPaper]] = defaultdict(list)
    for post in posted:
        by_paper[post.paper.id or 0].append(post)
    looked = await _look(http, settings, by_paper)
    report.checked, report.errors = len(looked.snapshots), looked.errors
    claimed = await _claim(db, http, settings, by_paper, seen, looked, now, report)
    await _send_claimed(db, senders, claimed, now, report)
    log.info("follow-ups", checked=report.checked, events=report.events, posted=report.posted,
             errors=len(report.errors))  # fmt: skip
    return report


async def _look(
    http: HttpFetcher, settings: Settings, by_paper: Mapping[int, list[PostedPaper]]
) -> Looked:
    looked = Looked()
    papers = [posts[0].paper for posts in by_paper.values()]
    await look_arxiv(http, settings, [p.arxiv_id for p in papers if p.arxiv_id], looked)
    for paper in papers:
        if paper.source in ("biorxiv", "medrxiv") and paper.doi:
            await look_biorxiv(http, settings, paper.key, paper.doi, paper.source, looked)
    return looked


async def _claim(
    db: Database,
    http: HttpFetcher,
    settings: Settings,
    by_paper: Mapping[int, list[PostedPaper]],
    seen: Mapping[int, Snapshot],
    looked: Looked,
    now: datetime,
    report: FollowupReport,
) -> set[int]:
    """Compare, then store what was seen and claim the follow-ups in one transaction."""
    found: list[tuple[int, Snapshot, list[Event]]] = []
    for paper_id, posts in by_paper.items():
        fresh = looked.snapshots.get(posts[0].paper.key)
        if fresh is None:
            continue
        old = seen.get(paper_id) or _baseline(posts, fresh)
        said = await _enrich(http, settings, events(old, fresh))
        found.append((paper_id, merged(old, fresh), said))
    claimed: set[int] = set()
    async with db.session() as session:
        await save_watches(session, [(paper_id, snap) for paper_id, snap, _ in found], now)
        for paper_id, _, paper_events in found:
            report.events += len(paper_events)
            for event, post in ((e, p) for e in paper_events for p in by_paper[paper_id]):
                if event.family in switched_on(post.channel.followups_off):
                    new = await claim_followup(session, post, event.kind, render(event), now)
                    claimed.update([new] if new is not None else [])
    return claimed


def _baseline(posts: list[PostedPaper], fresh: Snapshot) -> Snapshot:
    """What was posted, for a paper looked at for the first time.

    The version and abstract are the stored ones; an arXiv paper's DOI is the one the store
    had (a DOI since is news, with its journal reference), and a preprint server's published
    DOI is news when first seen (the store never had one). What the feed never carried (the
    arXiv comment and its links) is taken as it is now, so it is not news.
    """
    posted = min(p.version for p in posts)
    paper = posts[0].paper
    same = fresh.version <= posted
    doi = (paper.doi or "") if paper.source == "arxiv" else ""
    journal = fresh.journal_ref if doi == fresh.doi else ""
    if same:
        return replace(fresh, doi=doi, journal_ref=journal)
    kept = paper.abstract if (paper.version or 0) <= posted else ""  # "": the old one is gone
    return Snapshot(posted, kept, "", journal, doi, code_links(paper.abstract))


async def _enrich(http: HttpFetcher, settings: Settings, found: list[Event]) -> list[Event]:
    """A new DOI's journal, date and title from Crossref; a retraction notice becomes its own."""
    out: list[Event] = []
    for event in found:
        if event.kind == "published" and event.doi and not event.doi.startswith(ARXIV_DOI_PREFIX):
            details = await crossref_details(http, settings, event.doi)
            if details.get("notice"):
                out.append(Event("withdrawn", event.version, extra=details))
            event = replace(event, extra=details)
        out.append(event)
    return out


async def _send_claimed(
    db: Database,
    senders: Mapping[str, Sender],
    claimed: set[int],
    now: datetime,
    report: FollowupReport,
) -> None:
    """Send what this run claimed, and what a crashed run left pending (looked for first)."""
    async with db.session() as session:
        stale = await unsent(session, now - RESUME_AFTER)
        fresh = [row for i in sorted(claimed) if (row := await session.get(Followup, i))]
        channels = {row.channel_id: await session.get(Channel, row.channel_id)
                    for row in [*stale, *fresh]}  # fmt: skip
    for followup, resumed in [*((f, True) for f in stale), *((f, False) for f in fresh)]:
        channel = channels.get(followup.channel_id)
        sender = senders.get(channel.platform) if channel is not None else None
        if channel is None or sender is None:
            continue  # its platform is not running in this process
        conversation = Conversation(channel.platform, channel.channel, channel.workspace,
                                    followup.thread)  # fmt: skip
        post = FollowupPost(conversation, followup.text, marker=f"paperbot:followup:{followup.id}")
        if await _send_one(db, sender, post, followup, resumed):
            report.posted += 1


async def _send_one(
    db: Database, sender: Sender, post: FollowupPost, followup: Followup, resumed: bool
) -> bool:
    """Send one follow-up (unless a resumed one is found on the platform); True when sent."""
    followup_id = followup.id
    assert followup_id is not None
    records = 0  # a post found again is recorded once; one sent twice (pending, then its id)

    async def record(ref: str) -> None:
        nonlocal records
        records += 1
        async with db.session() as session:
            await set_followup_ref(session, followup_id, ref)

    pending = (followup.message_ref or PENDING) if resumed else None
    try:
        await post_once(sender, post, record, pending=pending)
    except ChannelUnavailable as exc:
        log.warning("follow-up not sent: channel unavailable", reason=exc.reason)
        await record(f"unavailable: {exc.reason}")
        return False
    return records == 2
