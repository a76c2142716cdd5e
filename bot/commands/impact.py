"""`rank impact [week|today]` and `briefing now`: the impact ranking and briefing on demand."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.commands.context import Context
from bot.i18n import labels
from bot.models import Channel
from bot.posts import Answer, Typing
from bot.store.channels import get_or_create_channel, list_topics
from bot.weekly.render import briefing_post, impact_line, top_line
from bot.weekly.service import TOP_PAPERS, WeeklyService

NEEDS_LLM = (
    "The impact ranking needs an LLM (set LLM_BASE_URL/LLM_API_KEY and LLM_MODEL). "
    "Meanwhile, by votes and summary score:"
)
NOTHING = "No papers were delivered here {span}, so there is nothing to rank."
SPANS = {"week": "in the last 7 days", "today": "today"}


async def rank_impact(ctx: Context, span: str) -> None:
    """Rank the channel's papers of the week (or today) by pairwise LLM impact judgments."""
    channel = await _channel(ctx)
    today = _today(ctx, channel)
    first = today if span == "today" else today - timedelta(days=6)
    service = _weekly(ctx)
    ranked, summaries = await service.ranked_between(channel, first, today)
    if not ranked:
        await ctx.reply(NOTHING.format(span=SPANS[span]))
        return
    t = labels(channel.language)
    if ctx.deps.digests.llm is None:
        lines = [top_line(n, p, t["score"]) for n, p in enumerate(ranked[:TOP_PAPERS], 1)]
        await ctx.reply("\n".join([NEEDS_LLM, *lines]))
        return
    conversation, asked = ctx.message.conversation, ctx.message.message_id
    await ctx.sender.send(Typing(conversation, reply_to=asked))
    picks = await service.tournament(ranked, summaries)
    if not picks:
        lines = [top_line(n, p, t["score"]) for n, p in enumerate(ranked[:TOP_PAPERS], 1)]
        text = "The LLM gave no usable judgments just now; by votes and summary score:"
        await ctx.error("\n".join([text, *lines]))
        return
    head = f"**{t['impact_title']}** ({SPANS[span]}, {min(len(ranked), _limit(ctx))} papers)"
    lines = [impact_line(n, p, t["impact_record"]) for n, p in enumerate(picks, 1)]
    await ctx.sender.send(Answer(conversation, "\n".join([head, *lines]), reply_to=asked))


async def briefing_now(ctx: Context, _when: str = "now") -> None:
    """Post the briefing of the last 7 days (today included) now; not a scheduled delivery."""
    channel = await _channel(ctx)
    assert channel.id is not None
    async with ctx.deps.db.session() as session:
        topics = await list_topics(session, channel.id)
    on = _today(ctx, channel) + timedelta(days=1)
    briefing = await _weekly(ctx).compose(channel, topics, on)
    if briefing is None:
        await ctx.reply(NOTHING.format(span=SPANS["week"]))
        return
    await ctx.sender.send(briefing_post(briefing, ctx.message.conversation))


async def _channel(ctx: Context) -> Channel:
    async with ctx.deps.db.session() as session:
        return await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)


def _weekly(ctx: Context) -> WeeklyService:
    digests = ctx.deps.digests
    return WeeklyService(ctx.deps.db, digests.summaries, digests.llm)


def _limit(ctx: Context) -> int:
    return ctx.deps.settings.impact_candidates


def _today(ctx: Context, channel: Channel) -> date:
    return ctx.deps.clock().astimezone(ZoneInfo(channel.timezone)).date()
