"""`feed [reset]`: the channel's private Atom and JSON Feed addresses, or new ones."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.grammar import CommandError
from bot.feeds.service import feed_urls
from bot.store.channels import get_or_create_channel
from bot.store.feeds import feed_token, reset_feed_token

NO_PUBLIC_URL = (
    "Feeds are served by `paperbot run --http`; set PUBLIC_URL to its public address "
    "for full links."
)


async def feed(ctx: Context, action: str = "show") -> None:
    """Show the channel's feed URLs; `reset` (admins) replaces them, ending the old ones."""
    if action == "reset" and not ctx.message.is_admin:
        raise CommandError("Only an administrator can reset this channel's feeds.")
    deps = ctx.deps
    async with deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, deps.settings)
        assert channel.id is not None
        if action == "reset":
            token = await reset_feed_token(session, channel.id)
        else:
            token = await feed_token(session, channel.id)
    urls = feed_urls(deps.settings.public_url or "", token)
    lines = [
        "New feed addresses (the old ones no longer work):" if action == "reset"
        else "This channel's papers as a private feed (keep the links to yourselves):",
        f"Atom: {urls['atom']}",
        f"JSON Feed: {urls['json']}",
    ]  # fmt: skip
    if not deps.settings.public_url:
        lines.append(NO_PUBLIC_URL)
    await ctx.reply("\n".join(lines))
