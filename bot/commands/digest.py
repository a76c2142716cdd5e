"""The `digest` command: fetch what the channel follows, then post (or preview) its digest."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.commands.progress import check_hint, retry_listener
from bot.config import Settings
from bot.digest.posting import DigestPoster
from bot.fetching import FetchReport
from bot.i18n import labels
from bot.models import Channel, Topic
from bot.posts import digest_posts
from bot.source_health import SourceProblem, problem_note, source_label
from bot.source_plan import SourcePlan, parse_topics, plan_sources
from bot.sources.retry_notes import listening
from bot.store.channels import get_or_create_channel, list_topics
from bot.store.fetches import stale_feeds
from bot.store.keys import Leases
from bot.store.positions import set_positions

DIGEST_NOW_LEASE = timedelta(minutes=15)  # a crashed holder's lease runs out after this
BUSY = "A digest is already being posted here; it will arrive in a moment."


def fetch_notes(report: FetchReport, plan: SourcePlan, settings: Settings) -> tuple[str, ...]:
    """Footer notes naming the channel's sources that could not be fetched, in its words."""
    notes = []
    for source in report.failed:
        label = source_label(plan, source.url, settings) or source.source
        # a subscribed feed's note is the same whatever went wrong (refused address, closed
        # port, timeout), so notes cannot map a network; the reasons are in the logs/status
        error = "" if source.source == "journal" else "; ".join(source.errors)
        notes.append(problem_note(label, SourceProblem(source.url, error)))
    return tuple(notes)


def no_mailing(report: FetchReport, plan: SourcePlan, settings: Settings) -> bool:
    """True when arXiv had no mailing today: its feeds answered, and with no items."""
    arxiv = [s for s in report.sources if source_label(plan, s.url, settings, {}) and
             s.url.startswith(settings.arxiv_rss_url.rstrip("/"))]  # fmt: skip
    return bool(arxiv) and all(s.status == "ok" and s.papers == 0 for s in arxiv)


def no_mailing_text(today: date) -> str:
    """What a channel hears on a day arXiv announces nothing."""
    return (
        f"arXiv has no mailing today ({today:%A}, {today.isoformat()}): it announces new "
        "papers Monday to Friday, except on its holidays. The next mailing comes in your "
        "next digest."
    )


async def stale_notes(ctx: Context, plan: SourcePlan, today: date) -> tuple[str, ...]:
    """ "This feed has not published since …" for the channel's feeds that stopped."""
    settings = ctx.deps.settings
    async with ctx.deps.db.session() as session:
        stale = await stale_feeds(session, today, settings.stale_feed_days)
    return tuple(
        f"{label}: this feed has not published since {newest.isoformat()}."
        for url, newest in stale
        if (label := source_label(plan, url, settings)) is not None
    )


def too_soon(ctx: Context) -> str | None:
    """Why `digest now` must wait here (DIGEST_NOW_INTERVAL per channel), or None."""
    interval = ctx.deps.settings.digest_now_interval
    now = ctx.deps.clock()
    last = ctx.deps.digest_now_at.get(ctx.channel_key)
    if interval and last is not None and (now - last).total_seconds() < interval:
        wait = max(1, round(interval - (now - last).total_seconds()))
        return f"A digest was just posted here; `digest now` works again in {wait} s."
    ctx.deps.digest_now_at[ctx.channel_key] = now
    return None


async def digest(ctx: Context, mode: str) -> None:
    """Post the digest now (recorded as delivered) or preview it (not recorded).

    `digest now` holds a lease on the channel in the store while it fetches and posts, so
    a second one at the same time (on any replica) says so instead of posting again.
    """
    deps = ctx.deps
    if mode == "now":
        if deps.settings.digest_now_admin_only and not ctx.message.is_admin:
            raise CommandError(
                "Only an administrator can post the digest here; try `digest preview`."
            )
        wait = too_soon(ctx)
        if wait is not None:
            await ctx.error(wait)
            return
    async with deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, deps.settings)
        assert channel.id is not None
        topics = await list_topics(session, channel.id)
    if not topics:
        await ctx.reply("No topics yet. Try `subscribe cat:cs.CL agents` first.")
        return
    if mode != "now":
        await _digest(ctx, channel, topics, record=False)
        return
    leases = deps.leases or Leases(deps.db)
    async with leases.held(f"digest_now:{channel.id}", DIGEST_NOW_LEASE) as mine:
        if not mine:
            await ctx.reply(BUSY)
            return
        await _digest(ctx, channel, topics, record=True)


async def _digest(ctx: Context, channel: Channel, topics: list[Topic], *, record: bool) -> None:
    deps = ctx.deps
    today = deps.clock().astimezone(ZoneInfo(channel.timezone)).date()
    plan = plan_sources(parse_topics(t.query for t in topics), deps.settings)
    with listening(retry_listener(ctx, plan)):
        report = await deps.digests.fetch_for(topics, today)
    failed = fetch_notes(report, plan, deps.settings)
    quiet_arxiv = no_mailing(report, plan, deps.settings)
    stale = await stale_notes(ctx, plan, today)
    mailing = ("arXiv has no mailing today.",) if quiet_arxiv else ()
    anchor = await deps.digests.latest_date(today)
    if anchor is None:
        reasons = failed + stale or ("the sources had no announcements",)
        hint = check_hint(report, deps.settings)
        await ctx.reply(" ".join(("No papers to show yet:", *reasons, *([hint] if hint else []))))
        return
    digest = await deps.digests.compose(channel, topics, anchor, notes=failed + mailing + stale)
    if digest.is_empty:
        if quiet_arxiv:
            text = no_mailing_text(today)
        elif failed:
            text = "No papers to show yet:"
        else:
            text = labels(channel.language)["nothing"].format(date=anchor.isoformat())
        await ctx.reply(" ".join((text, *failed, *stale)))
        return
    if not record:  # a preview: not a delivery, but "paper N" means its paper N from now on
        async with deps.db.session() as session:
            await set_positions(session, channel.id, {p.number: p.paper_id for p in digest.papers})
        for post in digest_posts(digest, ctx.message.conversation):
            await ctx.sender.send(post)
        return
    lease = timedelta(seconds=deps.settings.delivery_lease_seconds)
    poster = DigestPoster(deps.db, deps.digests, deps.settings.replica, lease, deps.clock)
    await poster.post_now(channel, digest, ctx.sender)
