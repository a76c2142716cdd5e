"""Finding the paper a command means: a digest number, an arXiv id or URL, a DOI or a key."""

from __future__ import annotations

from bot.commands.context import Context
from bot.inbound import shown
from bot.models import Paper
from bot.store.channels import find_channel
from bot.store.papers import find_paper
from bot.store.positions import positions

MAX_NUMBER_DIGITS = 6


async def resolve_paper(ctx: Context, reference: str) -> Paper | None:
    """The stored paper for `reference`; a bare number means that paper of the last digest."""
    ref = reference.strip()
    if ref.isdigit():
        number = int(ref) if len(ref) <= MAX_NUMBER_DIGITS else -1
        key = (await numbered_papers(ctx)).get(number)
        if key is None:
            return None
        ref = key
    async with ctx.deps.db.session() as session:
        return await find_paper(session, ref)


async def numbered_papers(ctx: Context) -> dict[int, str]:
    """Number → paper key of this channel's most recent digest, as stored (any replica)."""
    async with ctx.deps.db.session() as session:
        channel = await find_channel(session, ctx.message.conversation)
        if channel is None or channel.id is None:
            return {}
        return await positions(session, channel.id)


def not_found(reference: str) -> str:
    """What to say when a paper reference resolves to nothing."""
    if reference.strip().isdigit():
        return f"There is no paper {shown(reference.strip())} in the last digest here."
    return f"I don't know the paper `{shown(reference)}` (not in any fetched feed)."
