"""Commands that explain: help, sources, and `ask` (questions about a paper)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.context import Context
from bot.commands.digest import stale_notes
from bot.commands.grammar import CommandError
from bot.commands.papers import not_found, resolve_paper
from bot.i18n import help_labels
from bot.inbound import shown
from bot.models import Paper
from bot.posts import Answer, Typing
from bot.qa.resolve import LookupUnreachable, reference_in
from bot.source_health import human_reason, source_label
from bot.source_plan import parse_topics, plan_sources
from bot.store.channels import find_channel, list_topics
from bot.store.fetches import recent_runs

if TYPE_CHECKING:
    from bot.qa.service import QAService

QUERY_EXAMPLE = '`subscribe cat:cs.CL ("retrieval augmented" OR RAG) -survey`'
QUERY_HELP = (
    'Topic queries: words and "phrases" (matched in title and abstract), `OR`, `-word` or '
    '`NOT` to exclude, parentheses; fields `cat:cs.CL`, `author:"Percy Liang"`, `title:`, '
    "`abs:`, `source:biorxiv|medrxiv|arxiv|journal`, `subject:bioinformatics`, `feed:<url>`.\n"
    f"Example: {QUERY_EXAMPLE}"
)


async def show_help(ctx: Context, command: str | None = None) -> None:
    """List the commands, or explain one."""
    from bot.commands.registry import BY_NAME, SPECS  # the registry holds this very handler

    words = help_labels(await _language(ctx))  # the channel's language; empty for English
    if command:
        spec = BY_NAME.get(command.lstrip("/").lower())
        if spec is None:
            unknown = words.get("unknown", "Unknown command `{command}`. Try `help`.")
            await ctx.error(unknown.format(command=shown(command, 40)))
            return
        await ctx.reply(f"`{spec.usage}`: {words.get(f'cmd:{spec.name}', spec.help)}")
        return
    lines = [f"`{spec.usage}`: {words.get(f'cmd:{spec.name}', spec.help)}" for spec in SPECS]
    query = f"{words['query']}\n{QUERY_EXAMPLE}" if "query" in words else QUERY_HELP
    head = words.get("commands", "Commands")
    await ctx.reply(f"**{head}**\n" + "\n".join(lines) + "\n\n" + query)


async def show_sources(ctx: Context) -> None:
    """Show the configured sources, how this channel's latest fetches went, and its feeds
    that stopped publishing (once each)."""
    s = ctx.deps.settings
    lines = [
        "**Sources**",
        f"arXiv RSS: {s.arxiv_rss_url} (default categories: {', '.join(s.default_categories)})",
        f"arXiv API: {s.arxiv_api_url}",
        f"bioRxiv/medRxiv API: {s.biorxiv_api_url}",
        "Journal feeds: any RSS/Atom URL with `feed:<url>`",
        f"Crossref (library DOIs): {s.crossref_api_url}",
        "Ranking: "
        + (ctx.deps.relevance.describe() if ctx.deps.relevance else "lexical BM25 only"),
    ]
    async with ctx.deps.db.session() as session:
        channel = await find_channel(session, ctx.message.conversation)
        topics = await list_topics(session, channel.id) if channel and channel.id else []
        runs = await recent_runs(session, limit=200)
    plan = plan_sources(parse_topics(t.query for t in topics), s)
    mine = [(run, label) for run in runs if (label := source_label(plan, run.url, s))][:10]
    if mine:
        lines.append("\n**Recent fetches**")
        for run, label in mine:
            when = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
            problem = f" ({human_reason(run.errors[0])})" if run.errors else ""
            if run.source == "journal" and run.errors:  # any channel's feed: no reasons here
                problem = f" ({human_reason('')})"
            lines.append(f"{when} {label} {run.status}: {run.papers} papers{problem}")
    stale = await stale_notes(ctx, plan, ctx.deps.clock().date())
    if stale:
        lines.append("\n**Not publishing**")
        lines.extend(stale)
    await ctx.reply("\n".join(lines))


async def ask(ctx: Context, paper: str, question: str, *, from_thread: bool = False) -> None:
    """Answer a question about a paper from its full text, in the asker's thread.

    The paper is, in order: the thread's (`from_thread`), one named in the question (arXiv
    id or URL, DOI, bioRxiv/medRxiv URL), then `paper` (a digest number, id, DOI or key).
    """
    qa = ctx.deps.qa
    if qa is None:
        raise CommandError("Questions about papers are not set up on this bot.")
    message = ctx.message
    candidates = [paper] if from_thread else [reference_in(question) or "", paper]
    candidates = [ref.strip() for ref in candidates if ref.strip()]
    if not candidates:
        raise CommandError(_unresolved(paper))
    await ctx.sender.send(Typing(message.conversation, reply_to=message.message_id))
    found = await _which_paper(ctx, qa, candidates)
    if found is None:
        raise CommandError(_unresolved(paper or candidates[0]))
    language = await _language(ctx)
    answer = await qa.answer(found, question, message.conversation, language)
    await ctx.sender.send(Answer(message.conversation, answer.text, reply_to=message.message_id))


async def _which_paper(ctx: Context, qa: QAService, candidates: list[str]) -> Paper | None:
    """The first candidate that resolves: a digest number, arXiv id/URL, DOI or key."""
    for ref in candidates:
        try:
            found = await resolve_paper(ctx, ref) if ref.isdigit() else await qa.resolve(ref)
        except LookupUnreachable as error:
            raise CommandError(unreachable_text(error, ref)) from None
        if found is not None:
            return found
    return None


def unreachable_text(error: LookupUnreachable, reference: str) -> str:
    """What to say when the lookup of a paper could not reach its source (not the user's fault)."""
    setting = "ARXIV_API_URL" if error.source == "arXiv" else "BIORXIV_API_URL"
    return (
        f"I could not reach {error.source} to look up `{shown(reference)}`: check the network "
        f"or proxy (and `{setting}`), then ask again."
    )


def _unresolved(reference: str) -> str:
    if not reference.strip():
        return (
            "I can't tell which paper this thread is about: ask in the thread of a paper "
            "post, name it (arXiv id or link, DOI), or use `ask <arXiv id|DOI> <question>`."
        )
    if reference.strip().isdigit():
        return not_found(reference)
    return (
        f"I can't find the paper `{shown(reference)}`: it is in no fetched feed, and the arXiv and "
        "bioRxiv/medRxiv lookups found nothing. Check the id or DOI."
    )


async def _language(ctx: Context) -> str:
    async with ctx.deps.db.session() as session:
        channel = await find_channel(session, ctx.message.conversation)
    return channel.language if channel is not None else ctx.deps.settings.default_language
