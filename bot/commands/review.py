"""`review <paper>`: a careful referee's review of a paper, in the channel's language."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.papers import not_found, resolve_paper
from bot.messages import OutgoingMessage
from bot.models import Paper
from bot.review import REVIEW_NEEDS_LLM, review_paper
from bot.store.channels import get_or_create_channel

REVIEW_FAILED = (
    "The review could not be written just now (the LLM did not answer). Try again later."
)


async def review(ctx: Context, reference: str) -> None:
    """Post a referee's review of the paper in this conversation (its thread, for a button)."""
    deps = ctx.deps
    paper = await _paper(ctx, reference)
    if paper is None:
        await ctx.reply(not_found(reference), kind="error")
        return
    if deps.llm is None or deps.usage is None:
        await ctx.reply(REVIEW_NEEDS_LLM, kind="error")
        return
    conversation, asked = ctx.message.conversation, ctx.message.message_id
    await ctx.sender.send(OutgoingMessage(conversation, "", kind="typing", reply_to=asked))
    async with deps.db.session() as session:
        channel = await get_or_create_channel(session, conversation, deps.settings)
    text = await review_paper(
        deps.llm, deps.settings, deps.usage, paper.title, paper.abstract, channel.language
    )
    body = f"**Review: {paper.title}**\n\n{text}" if text is not None else REVIEW_FAILED
    kind = "answer" if text is not None else "error"
    await ctx.sender.send(OutgoingMessage(conversation, body, kind=kind, reply_to=asked))


async def _paper(ctx: Context, reference: str) -> Paper | None:
    """A stored paper, or one looked up through the arXiv/bioRxiv APIs when Q&A is wired."""
    paper = await resolve_paper(ctx, reference)
    if paper is None and ctx.deps.qa is not None and not reference.strip().isdigit():
        paper = await ctx.deps.qa.resolve(reference)
    return paper
