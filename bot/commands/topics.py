"""Commands that change what a channel follows: subscribe, unsubscribe, topics."""

from __future__ import annotations

import httpx

from bot.commands.context import Context
from bot.followups.kinds import kinds_off
from bot.inbound import ECHO, shown
from bot.models import Channel
from bot.query import QuerySyntaxError, parse_query
from bot.source_plan import plan_sources
from bot.sources.arxiv_api import author_term
from bot.sources.guard import AddressPolicy, RefusedAddress
from bot.store.channels import add_topic, get_or_create_channel, list_topics, remove_topics

MAX_TOPICS = 25


def _syntax_message(text: str, error: QuerySyntaxError) -> str:
    """The error with at most ECHO characters of the query around where it went wrong."""
    start = max(0, min(error.position - ECHO // 2, len(text) - ECHO))
    window = text[start : start + ECHO].replace("\n", " ")
    caret = " " * (min(error.position, len(text)) - start) + "^"
    head = "…" if start else ""
    pad = " " * len(head)
    reason = shown(str(error), 200)
    return f"Couldn't read that topic: {reason}\n```\n{head}{window}\n{pad}{caret}\n```"


def _fetch_note(query_text: str, ctx: Context) -> str:
    plan = plan_sources([parse_query(query_text)], ctx.deps.settings)
    parts = []
    if plan.arxiv_categories:
        parts.append("arXiv " + ", ".join(sorted(plan.arxiv_categories)))
    for server, subjects, whole in (
        ("bioRxiv", plan.biorxiv_subjects, plan.biorxiv_all),
        ("medRxiv", plan.medrxiv_subjects, plan.medrxiv_all),
    ):
        if subjects or whole:
            parts.append(f"{server} " + (", ".join(sorted(subjects)) if subjects else "(all)"))
    parts.extend(f"feed {url}" for url in sorted(plan.feeds))
    terms = sorted({t for name in plan.arxiv_authors if (t := author_term(name))})
    if terms:
        parts.append(
            f"arXiv author search ({' OR '.join(terms)}) once a day, in every category, plus "
            "the bioRxiv, medRxiv and journal papers the bot fetches for any topic"
        )
    return "Sources: " + ("; ".join(parts) if parts else "none")


def refused_feed(query_text: str, ctx: Context) -> str | None:
    """Why a `feed:` URL of the query will never be fetched (scheme, port, literal address)."""
    policy = AddressPolicy.from_settings(ctx.deps.settings)
    for url in sorted(plan_sources([parse_query(query_text)], ctx.deps.settings).feeds):
        try:
            policy.check_url(url)
        except (RefusedAddress, httpx.InvalidURL, ValueError, TypeError):
            return (
                "Feeds are fetched only from public http:// or https:// addresses on "
                "the standard ports (80, 443)."
            )
    return None


async def subscribe(ctx: Context, query_text: str) -> None:
    """Follow a topic query."""
    try:
        parse_query(query_text)
    except QuerySyntaxError as error:
        await ctx.error(_syntax_message(query_text, error))
        return
    refusal = refused_feed(query_text, ctx)
    if refusal is not None:
        await ctx.error(refusal)
        return
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        assert channel.id is not None
        topics = await list_topics(session, channel.id)
        if any(t.query == query_text for t in topics):
            await ctx.reply(f"Already following `{shown(query_text)}`.")
            return
        if len(topics) >= MAX_TOPICS:
            await ctx.error(f"A channel follows at most {MAX_TOPICS} topics.")
            return
        await add_topic(session, channel.id, query_text)
    number = len(topics) + 1
    await ctx.reply(f"Subscribed (topic {number}): `{query_text}`\n{_fetch_note(query_text, ctx)}")


async def unsubscribe(ctx: Context, which: str | int, *more: int) -> None:
    """Stop following topics by number, or all of them."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        assert channel.id is not None
        topics = await list_topics(session, channel.id)
        if which == "all":
            chosen = topics
        else:
            numbers = (which, *more)
            missing = [n for n in numbers if not 1 <= int(n) <= len(topics)]
            if missing:
                await ctx.error(_no_such_topic(missing, len(topics)))
                return
            chosen = [topics[int(n) - 1] for n in numbers]
        await remove_topics(session, chosen)
    listing = ", ".join(f"`{t.query}`" for t in chosen) or "nothing (no topics)"
    await ctx.reply(f"Unsubscribed from {listing}.")


def _no_such_topic(missing: list[int], count: int) -> str:
    names = ", ".join(str(n) for n in missing)
    return (
        f"No topic {names}: this channel has {count} topic(s). See `topics`.\n"
        "Usage: `unsubscribe <n|all>`"
    )


async def show_topics(ctx: Context) -> None:
    """List the channel's topics and its settings."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        assert channel.id is not None
        topics = await list_topics(session, channel.id)
    lines = [f"{i}. `{t.query}`" for i, t in enumerate(topics, 1)]
    body = "\n".join(lines) if lines else "No topics yet. Try `subscribe cat:cs.CL agents`."
    await ctx.reply(f"**Topics**\n{body}\n\n{describe_settings(channel)}")


def describe_settings(channel: Channel) -> str:
    """One line with the channel's digest settings."""
    state = "paused" if channel.paused else "active"
    return (
        f"Digest at {channel.digest_time} {channel.timezone} ({channel.digest_days}) · "
        f"language {channel.language} · size {channel.max_papers} · {state} · "
        f"quiet {'on' if channel.quiet else 'off'} · "
        f"replacements {'on' if channel.replacements else 'off'} · "
        f"weekly {f'on ({channel.weekly_day})' if channel.weekly_day else 'off'} · "
        f"follow-ups {_followups(channel)}"
    )


def _followups(channel: Channel) -> str:
    off = kinds_off(channel.followups_off)
    return f"on (off: {', '.join(off)})" if off else "on"
