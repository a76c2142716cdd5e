"""`search <query> [since:30d]` over every stored paper, and `more <paper>` (more like this)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.archive.summaries import summaries_for
from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.commands.papers import not_found, resolve_paper
from bot.digest.render import escape_markdown
from bot.posts import Reply
from bot.query import QuerySyntaxError
from bot.search.service import Hit, SearchRequest, search_papers
from bot.search.similar import similar_papers
from bot.store.channels import find_channel
from bot.summary.offline import OfflineSummarizer

SEARCH_USAGE = "search <query> [since:30d]"


async def _language(ctx: Context) -> str:
    async with ctx.deps.db.session() as session:
        channel = await find_channel(session, ctx.message.conversation)
    return channel.language if channel is not None else ctx.deps.settings.default_language


async def hit_lines(ctx: Context, hits: Sequence[Hit]) -> list[str]:
    """One numbered line per hit: linked title, one-line summary, date and category."""
    language = await _language(ctx)
    papers = [hit.paper for hit in hits]
    async with ctx.deps.db.session() as session:
        summaries = await summaries_for(session, papers, language, OfflineSummarizer())
    lines = []
    for number, paper in enumerate(papers, start=1):
        summary = summaries.get(paper.id or 0)
        one_line = f" — {escape_markdown(summary.one_line)}" if summary and summary.one_line else ""
        meta = f"{paper.last_announced_on.isoformat()}, {paper.primary_category or paper.source}"
        link = f"[{escape_markdown(paper.title)}]({paper.abs_url})"
        lines.append(f"{number}. {link}{one_line} ({meta})")
    return lines


async def search(ctx: Context, text: str) -> None:
    """The ten stored papers that best match a topic query (ephemeral / a reply)."""
    try:
        request = SearchRequest.parse(text, ctx.deps.clock().date())
    except QuerySyntaxError as error:
        raise CommandError(f"`search`: {error}", SEARCH_USAGE) from error
    except ValueError as error:
        raise CommandError(str(error), SEARCH_USAGE) from error
    async with ctx.deps.db.session() as session:
        result = await search_papers(session, request)
    since = f" since {request.since.isoformat()}" if request.since else ""
    if not result.hits:
        await ctx.reply(f"No stored papers match `{request.query.canonical()}`{since}.")
        return
    matched = f"the {result.matched} most recent" if result.capped else f"{result.matched}"
    head = (
        f"**Search:** `{request.query.canonical()}`{since}: "
        f"top {len(result.hits)} of {matched} matches"
    )
    await ctx.reply("\n".join([head, *await hit_lines(ctx, result.hits)]))


async def more(ctx: Context, reference: str) -> None:
    """The five stored papers most like this one, answered in the paper's thread."""
    paper = await resolve_paper(ctx, reference)
    if paper is None:
        await ctx.error(not_found(reference))
        return
    async with ctx.deps.db.session() as session:
        hits = await similar_papers(session, paper, today=ctx.deps.clock().date())
    title = escape_markdown(paper.title)
    if not hits:
        text = f"I found no stored papers like “{title}” yet."
    else:
        text = "\n".join([f"**More like “{title}”:**", *await hit_lines(ctx, hits)])
    await ctx.sender.send(Reply(ctx.message.conversation, text))
