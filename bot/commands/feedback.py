"""👍/👎 on a paper: stored per channel, and future digests lean towards what was liked."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.papers import not_found, resolve_paper
from bot.store.channels import get_or_create_channel
from bot.store.feedback import record_vote


async def vote(ctx: Context, reference: str, value: int) -> None:
    """Record the sender's vote on a paper in this channel."""
    paper = await resolve_paper(ctx, reference)
    if paper is None or paper.id is None:
        await ctx.error(not_found(reference))
        return
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        assert channel.id is not None
        await record_vote(session, channel.id, paper.id, ctx.message.user, value)
    lean = "more" if value > 0 else "fewer"
    await ctx.reply(
        f"Noted {'👍' if value > 0 else '👎'} for “{paper.title}”: "
        f"digests here will show {lean} papers like it."
    )


async def like(ctx: Context, reference: str) -> None:
    """👍 a paper."""
    await vote(ctx, reference, 1)


async def dislike(ctx: Context, reference: str) -> None:
    """👎 a paper."""
    await vote(ctx, reference, -1)
