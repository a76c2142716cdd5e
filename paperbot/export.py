"""`paperbot export`: a channel's digest for a date or week as Markdown or HTML, or the archive."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.archive.html import to_html
from bot.archive.load import channel_label, find_channel_ref, load_period, parse_day, parse_week
from bot.archive.markdown import to_markdown
from bot.archive.site import build_site
from bot.config import Settings
from bot.feeds.service import FORMATS, channel_feed, recent
from bot.models import Channel
from bot.store.db import Database
from bot.summary.offline import OfflineSummarizer


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the `export` subcommand."""
    export = sub.add_parser("export", help="write a channel's digest page, or the whole archive")
    export.add_argument("--channel", help="channel: database id or platform:channel")
    when = export.add_mutually_exclusive_group()
    when.add_argument("--date", help="digest date (YYYY-MM-DD); default: today (UTC)")
    when.add_argument("--week", help="ISO week, e.g. 2025-W18")
    export.add_argument("--format", choices=("md", "html", "atom", "json"), default="html",
                        help="a page (md, html) or the channel's feed (atom, json)")  # fmt: skip
    export.add_argument("--all", action="store_true", help="the whole archive as HTML into --out")
    export.add_argument("--out", help="output file (default stdout); with --all, a folder")


def _fail(message: str) -> int:
    print(f"paperbot export: {message}", file=sys.stderr)
    return 2


def _period(args: argparse.Namespace) -> tuple[date, date]:
    if args.week:
        return parse_week(args.week)
    return parse_day(args.date or date.today().isoformat())


async def export(settings: Settings, args: argparse.Namespace) -> int:
    """Run the export; exit 2 with a clear message on bad arguments or an unknown channel."""
    if args.all:
        if not args.out or args.channel or args.date or args.week:
            return _fail("--all writes the whole archive: give --out DIR and no channel or date")
    elif not args.channel:
        return _fail("give --channel ID (or platform:channel), or --all --out DIR")
    try:
        period = None if args.all else _period(args)
    except ValueError as error:
        return _fail(str(error))
    db = Database.open(settings.database_url)
    try:
        await db.migrate()
        if args.all:
            return await _export_all(db, Path(args.out))
        assert period is not None
        return await _export_page(db, args, period)
    finally:
        await db.close()


async def _export_page(db: Database, args: argparse.Namespace, period: tuple[date, date]) -> int:
    async with db.session() as session:
        channel = await find_channel_ref(session, args.channel)
        if channel is None:
            return _fail(f"unknown channel {args.channel!r} (see `paperbot status`)")
        if args.format in FORMATS:
            return await _export_feed(session, channel, args, period)
        page = await load_period(session, channel, period, OfflineSummarizer())
    content = to_markdown(page) if args.format == "md" else to_html(page)
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {len(page.papers)} papers to {args.out}")
    else:
        sys.stdout.write(content)
    return 0


async def _export_feed(
    session: AsyncSession, channel: Channel, args: argparse.Namespace, period: tuple[date, date]
) -> int:
    """The channel's feed (the period's papers; without --date/--week, the last 30 days)."""
    if not (args.date or args.week):
        period = recent()
    feed_id = f"urn:paperbot:{channel_label(channel)}:{args.format}"
    document = await channel_feed(session, channel, args.format, feed_id, period)
    if args.out:
        Path(args.out).write_bytes(document.body)
        print(f"wrote the {args.format} feed to {args.out}")
    else:
        sys.stdout.write(document.body.decode())
    return 0


async def _export_all(db: Database, out: Path) -> int:
    async with db.session() as session:
        files = await build_site(session, OfflineSummarizer())
    for relative, content in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    print(f"wrote {len(files) - 1} pages and index.html to {out}")
    return 0
