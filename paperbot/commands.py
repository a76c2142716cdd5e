"""What each `paperbot` subcommand does, given settings and parsed arguments."""

from __future__ import annotations

import argparse
import calendar
import sys
from datetime import UTC, date, datetime, timedelta

from rich.progress import Progress

from adapters.console import run_console
from adapters.console_preview import preview_renderer
from bot.app import create_app
from bot.config import Settings
from bot.fetching import FetchReport
from bot.llm.prices import Prices
from bot.llm.usage_report import format_purposes, format_usage
from bot.source_plan import parse_topics, plan_sources
from bot.store.channels import channels_with_topics
from bot.store.db import Database
from bot.store.usage import PurposeUsage, usage_by_day, usage_by_purpose
from paperbot.status import status_table


async def console(settings: Settings, args: argparse.Namespace) -> int:
    """Run the console REPL until EOF."""
    app = await create_app(settings)
    try:
        renderer = preview_renderer(args.render) if args.render else None
        await run_console(app.bot, renderer=renderer)
    finally:
        await app.aclose()
    return 0


async def fetch(settings: Settings, args: argparse.Namespace) -> int:
    """Fetch what every channel's topics need and print counts per source and category."""
    app = await create_app(settings)
    try:
        async with app.db.session() as session:
            subscribed = await channels_with_topics(session)
        texts = (topic.query for _channel, topics in subscribed for topic in topics)
        plan = plan_sources(parse_topics(texts), settings)
        if plan.is_empty:
            print("Nothing to fetch: no channel follows any topic yet (try `paperbot console`).")
            return 0
        on = args.date or datetime.now(UTC).date()
        if sys.stdout.isatty():
            with Progress(transient=True) as bar:
                task = bar.add_task("fetching", total=None)

                def show(label: str, done: int, total: int) -> None:
                    bar.update(task, description=f"fetching {label}", completed=done, total=total)

                report = await app.fetcher.fetch(plan, on=on, progress=show)
        else:
            report = await app.fetcher.fetch(plan, on=on)
        print(format_report(report))
        return 1 if report.sources and len(report.failed) == len(report.sources) else 0
    finally:
        await app.aclose()


def format_report(report: FetchReport) -> str:
    """Counts per source URL and category, with errors."""
    lines = []
    for s in report.sources:
        lines.append(f"{s.source:8} {s.status:12} {s.papers:5} papers ({s.new} new)  {s.url}")
        for category, count in sorted(s.categories.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{'':8} {category:24} {count:5}")
        lines.extend(f"{'':8} error: {e}" for e in s.errors[:5])
    total = sum(s.papers for s in report.sources)
    lines.append(f"total: {total} papers from {len(report.sources)} source URL(s)")
    return "\n".join(lines)


async def usage(settings: Settings, args: argparse.Namespace) -> int:
    """Print LLM calls and prompt/completion tokens per day."""
    db = Database.open(settings.database_url)
    today = datetime.now(UTC).date()
    month = today.replace(day=1)
    try:
        await db.migrate()
        async with db.session() as session:
            rows = await usage_by_day(session, limit=args.days)
            recent = await usage_by_purpose(session, today - timedelta(args.days - 1), today)
            this_month = await usage_by_purpose(session, month, today)
    finally:
        await db.close()
    if not rows:
        print("No LLM calls recorded.")
        return 0
    prices = Prices.parse(settings.llm_price_per_mtok_in, settings.llm_price_per_mtok_out)
    print(format_usage(rows))
    print()
    print(format_purposes(recent, prices, f"the last {args.days} days"))
    print()
    print(format_purposes(this_month, prices, f"this month (since {month.isoformat()})"))
    projected = month_projection(this_month, prices, today)
    if projected is not None:
        print(f"At this rate, about ${projected:,.2f} for the whole month.")
    return 0


def month_projection(rows: list[PurposeUsage], prices: Prices, today: date) -> float | None:
    """The month's cost so far, scaled to the whole month; None without prices."""
    costs = [prices.cost(r.model, r.prompt_tokens, r.completion_tokens) for r in rows]
    if not prices.known or not rows:
        return None
    days = calendar.monthrange(today.year, today.month)[1]
    return sum(c for c in costs if c is not None) * days / today.day


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot: adapters and scheduler, until SIGTERM."""
    from paperbot.run import HttpOptions
    from paperbot.run import run as run_bot

    return await run_bot(settings, HttpOptions(args.http, args.port))


async def status(settings: Settings, args: argparse.Namespace) -> int:
    """Print the per-channel delivery status."""
    db = Database.open(settings.database_url)
    try:
        await db.migrate()
        print(await status_table(db, datetime.now(UTC), settings.stale_feed_days))
    finally:
        await db.close()
    return 0


async def doctor(settings: Settings, _args: argparse.Namespace) -> int:
    """Check the configuration against the real services; 1 when a check failed."""
    from adapters.slack.settings import SlackSettings
    from adapters.telegram.settings import TelegramSettings
    from paperbot.doctor import database, llm, run_doctor, sources, zotero
    from paperbot.doctor_platforms import slack_probe, telegram_probe

    platforms = [slack_probe(SlackSettings()), telegram_probe(TelegramSettings())]
    checks = await run_doctor(settings, [database, sources, llm, zotero, *platforms])
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1


async def demo(settings: Settings, _args: argparse.Namespace) -> int:
    """The console on a temporary database, fed by the recorded feeds shipped in the package."""
    from adapters.console import CONSOLE, ConsoleSender, handle_line
    from bot.store.papers import upsert_papers
    from paperbot.demo import TRY, shipped_paper, start_demo, topics

    demo_settings, server = await start_demo(settings)
    app = await create_app(demo_settings)
    try:
        async with app.db.session() as session:  # the paper whose full text ships with the demo
            await upsert_papers(session, [shipped_paper(datetime.now(UTC).date())])
        print("paperbot demo: recorded arXiv, bioRxiv and PLOS feeds, dated today; no network.")
        print(f"Its database: DATABASE_URL={demo_settings.database_url} (for `paperbot export`)")
        sender = ConsoleSender(sys.stdout)
        for topic in topics(demo_settings):
            await handle_line(app.bot, sender, CONSOLE, f"/subscribe {topic}", sys.stdout)
        print(TRY)
        await run_console(app.bot)
    finally:
        await app.aclose()
        await server.stop()
    return 0
