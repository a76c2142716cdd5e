"""The `digest` command: fetch what the channel follows, then post (or preview) its digest."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.delivery import send_digest
from bot.fetching import FetchReport
from bot.i18n import labels
from bot.store.channels import get_or_create_channel, list_topics


def fetch_notes(report: FetchReport) -> tuple[str, ...]:
    """Footer notes naming the sources that could not be fetched.

    A feed someone subscribed to gets the same note whatever went wrong (refused address,
    closed port, timeout, bad reply), so the notes cannot map a network; the reasons are in
    the logs and `paperbot status`.
    """
    return tuple(
        f"Could not fetch the feed {s.url[:200]}"
        if s.source == "journal"
        else f"Could not fetch {s.source} ({s.url}): {'; '.join(s.errors)[:200] or s.status}"
        for s in report.failed
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
    """Post the digest now (recorded as delivered) or preview it (not recorded)."""
    deps = ctx.deps
    if mode == "now":
        if deps.settings.digest_now_admin_only and not ctx.message.is_admin:
            raise CommandError(
                "Only an administrator can post the digest here; try `digest preview`."
            )
        wait = too_soon(ctx)
        if wait is not None:
            await ctx.reply(wait, kind="error")
            return
    async with deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, deps.settings)
        assert channel.id is not None
        topics = await list_topics(session, channel.id)
    if not topics:
        await ctx.reply("No topics yet. Try `subscribe cat:cs.CL agents` first.")
        return
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
    await send_digest(deps.db, digest, ctx.message.conversation, ctx.sender, record=mode == "now")
