"""`paperbot library import --channel ID FILE`: a BibTeX, RIS or CSL-JSON export into a library."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings
from bot.library.lookup import find_papers
from bot.library.refs import read_library
from bot.models import Channel
from bot.rank.semantic import Relevance
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from bot.store.library import add_to_library, library_size


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `library` subcommand."""
    library = sub.add_parser("library", help="a channel's seed library")
    actions = library.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import a BibTeX, RIS or CSL-JSON file")
    imp.add_argument("--channel", required=True, type=int, help="the channel id (`status`)")
    imp.add_argument("file", type=Path, help="a .bib, .ris or .json export")


async def library_import(settings: Settings, args: argparse.Namespace) -> int:
    """Read the file, look up papers not stored, add them; print what happened."""
    try:
        content = args.file.read_text(encoding="utf-8")
        read = read_library(content, args.file.name)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"Cannot read {args.file}: {exc}")
        return 2
    db = Database.open(settings.database_url)
    await db.migrate()
    try:
        async with db.session() as session:
            if await session.get(Channel, args.channel) is None:
                print(f"No channel with id {args.channel} (see `paperbot status`).")
                return 2
        async with HttpFetcher(settings) as http:
            found = await find_papers(db, http, settings, read.references)
        async with db.session() as session:
            added = await add_to_library(session, args.channel, found.papers, "cli", "import")
            size = await library_size(session, args.channel)
        await Relevance.of(db, settings).embed([p.id for p in found.papers if p.id])
    finally:
        await db.close()
    print(f"Read {len(read.references)} references from {args.file.name}; added {added} "
          f"papers to channel {args.channel}'s library (now {size}).")
    for ref, why in found.missing:
        print(f"not found: {ref.label} ({why})")
    for title in read.skipped:
        print(f"skipped (no arXiv id or DOI): {title}")
    return 0
