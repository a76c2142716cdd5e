"""`library sync [collection]`: the channel's library follows the operator's Zotero library."""

from __future__ import annotations

from bot.commands import library as library_cmds
from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.library.lookup import find_papers
from bot.library.zotero import ZoteroError, ZoteroItems, ZoteroSource, read_zotero
from bot.store.library import library_size, set_synced_version, synced_version

NOT_SET_UP = (
    "Zotero is not set up here: the operator sets ZOTERO_API_KEY and ZOTERO_USER_ID "
    "(or ZOTERO_GROUP_ID), then `library sync` brings that library in."
)
SKIPPED_SHOWN = 3


async def library(ctx: Context, action: str = "list", rest: str = "") -> None:
    """`library …`: sync from Zotero here, every other action in `bot.commands.library`."""
    if action != "sync":
        await library_cmds.library(ctx, action, rest)
        return
    library_cmds.require_admin(ctx, "sync the library")
    await sync(ctx, rest)


async def sync(ctx: Context, collection: str) -> None:
    """Read what changed in the Zotero library since the last sync and add its papers."""
    source = ZoteroSource.of(ctx.deps.settings, collection)
    if source is None:
        raise CommandError(NOT_SET_UP)
    if ctx.deps.http is None:
        raise CommandError("Lookups are off in this process, so Zotero cannot be read.")
    channel = await library_cmds.channel_of(ctx)
    channel_id = channel.id or 0
    async with ctx.deps.db.session() as session:
        since = await synced_version(session, channel_id, source.name)
    try:
        items = await read_zotero(ctx.deps.http, source, since)
    except ZoteroError as exc:
        raise CommandError(str(exc)) from exc
    if items.not_modified:
        async with ctx.deps.db.session() as session:
            size = await library_size(session, channel_id)
        await ctx.reply(
            f"Zotero {source.path} has not changed since the last sync "
            f"(version {items.version}); this channel's library has {size} papers."
        )
        return
    found = await find_papers(
        ctx.deps.db, ctx.deps.http, ctx.deps.settings, items.references, items.described
    )
    added = await library_cmds.store_library(
        ctx.deps.db, channel_id, found, ctx.message.user, "zotero"
    )
    if ctx.deps.relevance is not None:
        await ctx.deps.relevance.embed([p.id for p in found.papers if p.id is not None])
    if not found.missing and not items.truncated and items.version:
        async with ctx.deps.db.session() as session:  # else the next sync reads it all again
            await set_synced_version(session, channel_id, source.name, items.version)
    text = library_cmds.describe_added(found, added, len(found.papers))
    await ctx.reply(f"{describe_read(source, items)}\n{text}")


def describe_read(source: ZoteroSource, items: ZoteroItems) -> str:
    """ "Zotero users/123: read 40 items (version 812); 2 without an arXiv id or DOI: …"."""
    line = f"Zotero {source.path}: read {items.read} items (version {items.version})"
    if items.skipped:
        shown = "; ".join(f"“{t}”" for t in items.skipped[:SKIPPED_SHOWN])
        more = len(items.skipped) - SKIPPED_SHOWN
        line += f"; {len(items.skipped)} without an arXiv id or DOI were skipped: {shown}"
        line += f" and {more} more" if more > 0 else ""
    if items.truncated:
        line += "; the library is larger than one sync reads, so run `library sync` again"
    return line + "."
