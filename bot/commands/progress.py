"""Notes to the person waiting on `digest now|preview`: a source being retried, what to check."""

from __future__ import annotations

from bot.commands.context import Context
from bot.config import Settings
from bot.fetching import FetchReport
from bot.source_health import human_reason, source_label
from bot.source_plan import SourcePlan
from bot.sources.retry_notes import RetryListener

MAX_NOTES = 2  # a slash command's response URL takes five messages in all
UNREACHABLE = ("it could not be reached", "it did not answer in time", "the server had an error")


def retry_listener(ctx: Context, plan: SourcePlan) -> RetryListener:
    """Say (at most MAX_NOTES times) that one of the channel's sources is being retried."""
    sent = 0

    async def note(url: str, attempt: int, attempts: int) -> None:
        nonlocal sent
        label = source_label(plan, url, ctx.deps.settings)
        if label is None or sent >= MAX_NOTES:
            return
        sent += 1
        await ctx.reply(f"{label} is not reachable, retrying ({attempt}/{attempts})…")

    return note


def check_hint(report: FetchReport, settings: Settings) -> str | None:
    """One line on what to check when sources could not be reached at all, or None."""
    names: list[str] = []
    for source in report.failed:
        if human_reason("; ".join(source.errors)) not in UNREACHABLE:
            continue
        name = _setting_for(source.url, settings)
        if name not in names:
            names.append(name)
    if not names:
        return None
    settings_named = ", ".join(f"`{n}`" for n in names if n)
    also = f" (and {settings_named})" if settings_named else ""
    return f"Check the network or proxy{also}."


def _setting_for(url: str, settings: Settings) -> str:
    """The setting that holds this source's address ('' for a subscribed feed's own URL)."""
    for name, base in (
        ("ARXIV_RSS_URL", settings.arxiv_rss_url),
        ("ARXIV_API_URL", settings.arxiv_api_url),
        ("BIORXIV_API_URL", settings.biorxiv_api_url),
    ):
        if url.startswith(base.rstrip("/")):
            return name
    return ""
