"""Commands that explain: help, sources, and `ask` until Q&A arrives."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.grammar import BY_NAME, SPECS
from bot.store.fetches import recent_runs

QUERY_HELP = (
    'Topic queries: words and "phrases" (matched in title and abstract), `OR`, `-word` or '
    '`NOT` to exclude, parentheses; fields `cat:cs.CL`, `author:"Percy Liang"`, `title:`, '
    "`abs:`, `source:biorxiv|medrxiv|arxiv|journal`, `subject:bioinformatics`, `feed:<url>`.\n"
    'Example: `subscribe cat:cs.CL ("retrieval augmented" OR RAG) -survey`'
)


async def show_help(ctx: Context, command: str | None = None) -> None:
    """List the commands, or explain one."""
    if command:
        spec = BY_NAME.get(command.lstrip("/").lower())
        if spec is None:
            await ctx.reply(f"Unknown command `{command}`. Try `help`.", kind="error")
            return
        await ctx.reply(f"`{spec.usage}`: {spec.help}")
        return
    lines = [f"`{spec.usage}`: {spec.help}" for spec in SPECS]
    await ctx.reply("**Commands**\n" + "\n".join(lines) + "\n\n" + QUERY_HELP)


async def show_sources(ctx: Context) -> None:
    """Show the configured sources and how their latest fetches went."""
    s = ctx.deps.settings
    lines = [
        "**Sources**",
        f"arXiv RSS: {s.arxiv_rss_url} (default categories: {', '.join(s.default_categories)})",
        f"arXiv API: {s.arxiv_api_url}",
        f"bioRxiv/medRxiv API: {s.biorxiv_api_url}",
        "Journal feeds: any RSS/Atom URL with `feed:<url>`",
    ]
    async with ctx.deps.db.session() as session:
        runs = await recent_runs(session, limit=10)
    if runs:
        lines.append("\n**Recent fetches**")
        for run in runs:
            when = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
            error = f" — {run.errors[0][:120]}" if run.errors else ""
            lines.append(f"{when} {run.source} {run.status}: {run.papers} papers{error}")
    await ctx.reply("\n".join(lines))


async def ask(ctx: Context, paper: str, question: str) -> None:
    """Questions about papers: not available until the Q&A feature lands."""
    await ctx.reply(
        f"Answering questions about papers is not available yet, so I can't answer "
        f"about {paper}. For now, read it at its abs link.",
        kind="error",
    )
