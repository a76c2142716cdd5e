"""The `digest` command: fetch what the channel follows, then post (or preview) its digest."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.commands.context import Context
from bot.delivery import send_digest
from bot.fetching import FetchReport
from bot.i18n import labels
from bot.models import Channel, Topic
from bot.store.channels import get_or_create_channel, list_topics
from bot.store.keys import Leases

DIGEST_NOW_LEASE = timedelta(minutes=15)  # a crashed holder's lease runs out after this
BUSY = "A digest is already being posted here; it will arrive in a moment."


def fetch_notes(report: FetchReport) -> tuple[str, ...]:
    """Footer notes naming the sources that could not be fetched."""
    return tuple(
        f"Could not fetch {s.source} ({s.url}): {'; '.join(s.errors)[:200] or s.status}"
        for s in report.failed
    )


async def digest(ctx: Context, mode: str) -> None:
    """Post the digest now (recorded as delivered) or preview it (not recorded).

    `digest now` holds a lease on the channel in the store while it fetches and posts, so
    a second one at the same time (on any replica) says so instead of posting again.
    """
    deps = ctx.deps
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
    report = await deps.digests.fetch_for(topics, today)
    anchor = await deps.digests.latest_date(today)
    if anchor is None:
        reasons = "; ".join(fetch_notes(report)) or "the sources had no announcements"
        await ctx.reply(f"No papers to show yet: {reasons}.")
        return
    digest = await deps.digests.compose(channel, topics, anchor, notes=fetch_notes(report))
    if digest.is_empty:
        await ctx.reply(labels(channel.language)["nothing"].format(date=anchor.isoformat()))
        return
    ctx.deps.last_digest[ctx.channel_key] = {p.number: p.key for p in digest.papers}
    await send_digest(deps.db, digest, ctx.message.conversation, ctx.sender, record=record)
