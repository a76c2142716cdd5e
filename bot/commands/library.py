"""`library …`, `min-score` and `profile`: what a channel's ranking learns from, and its bar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import col

from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.digest.feedback import content_terms
from bot.library.lookup import Lookup, find_papers, stored_paper
from bot.library.refs import Reference, parse_reference, parse_references
from bot.models import Channel, Feedback, Paper
from bot.store.channels import get_or_create_channel
from bot.store.db import Database
from bot.store.feedback import channel_votes
from bot.store.library import (
    add_to_library,
    clear_library,
    library_papers,
    remove_from_library,
)

SHOWN = 5
TOP_TERMS = 10


def require_admin(ctx: Context, what: str) -> None:
    """Refuse a change to the library from someone who is not an administrator here."""
    if not ctx.message.is_admin:
        raise CommandError(f"Only an administrator can {what} here; anyone may list it.")


async def channel_of(ctx: Context) -> Channel:
    """The channel the command was said in (created on first use)."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
    assert channel.id is not None
    return channel


def _cite(paper: Paper) -> str:
    ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else f"doi:{paper.doi or paper.key}"
    return f"“{paper.title}” ({ident})"


async def library(ctx: Context, action: str = "list", rest: str = "") -> None:
    """List, add to, remove from or clear the channel's seed library."""
    if action == "list":
        await _list(ctx)
        return
    require_admin(ctx, "change the library")
    if action == "add":
        refs, bad = parse_references(rest)
        if bad:
            raise CommandError(
                f"Not an arXiv id, DOI or paper URL: {', '.join(bad)}",
                "library add <arXiv ids, DOIs or URLs…>",
            )
        await add_references(ctx, refs, "chat")
    elif action == "remove":
        await _remove(ctx, rest)
    else:
        channel = await channel_of(ctx)
        async with ctx.deps.db.session() as session:
            gone = await clear_library(session, channel.id or 0)
        await ctx.reply(f"Library cleared: {gone} papers taken out.")


async def add_references(ctx: Context, refs: Sequence[Reference], origin: str) -> None:
    """Find (or look up) the papers and add them; say what was added and what was not found."""
    channel = await channel_of(ctx)
    found = await lookup(ctx.deps.db, ctx, refs)
    added = await store_library(ctx.deps.db, channel.id or 0, found, ctx.message.user, origin)
    if ctx.deps.relevance is not None:
        await ctx.deps.relevance.embed([p.id for p in found.papers if p.id is not None])
    await ctx.reply(describe_added(found, added, len(found.papers)))


async def lookup(db: Database, ctx: Context, refs: Sequence[Reference]) -> Lookup:
    """`find_papers` with the bot's HTTP client (stored papers only without one)."""
    if ctx.deps.http is None:
        result = Lookup()
        async with db.session() as session:
            for ref in refs:
                paper = await stored_paper(session, ref)
                if paper is None:
                    result.missing.append((ref, "not stored, and lookups are off"))
                else:
                    result.papers.append(paper)
        return result
    return await find_papers(db, ctx.deps.http, ctx.deps.settings, refs)


async def store_library(
    db: Database, channel_id: int, found: Lookup, user: str, origin: str
) -> int:
    """Add the found papers to the channel's library; how many were new there."""
    async with db.session() as session:
        added = await add_to_library(session, channel_id, found.papers, user, origin)
        size = len(await library_papers(session, channel_id))
    found.size = size
    return added


def describe_added(found: Lookup, added: int, total: int) -> str:
    """ "Added 2 papers to this channel's library (now 5). Not found: …"."""
    already = total - added
    lines = [
        f"Added {added} {'paper' if added == 1 else 'papers'} to this channel's library "
        f"(now {found.size})." + (f" {already} were in it already." if already else "")
    ]
    lines.extend(f"- {_cite(p)}" for p in found.papers[:SHOWN])
    if len(found.papers) > SHOWN:
        lines.append(f"- … and {len(found.papers) - SHOWN} more")
    if found.missing:
        lines.append("Not found: " + "; ".join(f"{r.label} ({why})" for r, why in found.missing))
    return "\n".join(lines)


async def _list(ctx: Context) -> None:
    channel = await channel_of(ctx)
    async with ctx.deps.db.session() as session:
        papers = await library_papers(session, channel.id or 0)
    if not papers:
        await ctx.reply(
            "This channel's library is empty. Add papers it cares about with "
            "`library add <arXiv ids, DOIs or URLs…>`; digests then rank by them."
        )
        return
    lines = [f"**Library**: {len(papers)} {'paper' if len(papers) == 1 else 'papers'}. Last added:"]
    start = max(0, len(papers) - SHOWN)
    lines.extend(f"{n}. {_cite(p)}" for n, p in enumerate(papers[start:], start + 1))
    lines.append("`library remove <n|id>` takes one out.")
    await ctx.reply("\n".join(lines))


async def _remove(ctx: Context, rest: str) -> None:
    channel = await channel_of(ctx)
    async with ctx.deps.db.session() as session:
        papers = await library_papers(session, channel.id or 0)
        paper = _pick(papers, rest)
        if paper is None:
            raise CommandError(
                f"`{rest}` is not in this channel's library ({len(papers)} papers).",
                "library remove <n|arXiv id|DOI>",
            )
        await remove_from_library(session, channel.id or 0, paper.id or 0)
    await ctx.reply(f"Removed {_cite(paper)} from the library ({len(papers) - 1} left).")


def _pick(papers: Sequence[Paper], rest: str) -> Paper | None:
    if rest.isdigit():
        n = int(rest)
        return papers[n - 1] if 1 <= n <= len(papers) else None
    ref = parse_reference(rest)
    if ref is None:
        return None
    for paper in papers:
        if (ref.arxiv_id and paper.arxiv_id == ref.arxiv_id) or (ref.doi and paper.doi == ref.doi):
            return paper
    return None


async def min_score(ctx: Context, value: int) -> None:
    """Set the channel's bar: papers under this relevance (0–100) are left out."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        channel.min_score = value
        session.add(channel)
    if value == 0:
        await ctx.reply("Minimum score off: digests show the best papers whatever their score.")
    else:
        await ctx.reply(
            f"Minimum score {value}: papers under {value}/100 relevance are left out; "
            "a digest that is shorter for it says so."
        )


async def profile(ctx: Context, action: str = "show") -> None:
    """What the ranking has learned (top terms, library size, votes), or `reset` the votes."""
    channel = await channel_of(ctx)
    if action == "reset":
        require_admin(ctx, "reset the votes")
        async with ctx.deps.db.session() as session:
            result = await session.exec(
                delete(Feedback).where(col(Feedback.channel_id) == channel.id)  # type: ignore[call-overload]
            )
        await ctx.reply(f"Votes cleared ({result.rowcount or 0}); the library is kept.")
        return
    async with ctx.deps.db.session() as session:
        papers = await library_papers(session, channel.id or 0)
        votes = await channel_votes(session, channel.id or 0)
    await ctx.reply(describe_profile(ctx, channel, papers, votes))


def describe_profile(
    ctx: Context, channel: Channel, papers: Sequence[Paper], votes: Sequence[tuple[Paper, int]]
) -> str:
    """The `profile` text."""
    liked = sum(1 for _, v in votes if v > 0)
    terms: Counter[str] = Counter()
    for paper in [*papers, *(p for p, v in votes if v > 0)]:
        terms.update(content_terms(paper.title, paper.abstract))
    for paper, _ in (item for item in votes if item[1] < 0):
        terms.subtract(content_terms(paper.title, paper.abstract))
    top = [t for t, n in terms.most_common(TOP_TERMS) if n > 0]
    relevance = ctx.deps.relevance
    lines = [
        "**Profile** (what this channel's ranking learns from)",
        f"Library: {len(papers)} papers · votes: {liked} 👍, {len(votes) - liked} 👎",
        "Top terms: " + (", ".join(top) if top else "none yet"),
        f"Minimum score: {channel.min_score or 'off'}",
        relevance.describe() if relevance else "semantic ranking off: lexical BM25 only",
        "`profile reset` clears the votes; `library clear` empties the library.",
    ]
    return "\n".join(lines)
