"""`review <paper>`: a careful referee's review of a paper, in the channel's language."""

from __future__ import annotations

from bot.commands.context import BotDeps, Context
from bot.commands.grammar import CommandError
from bot.commands.info import unreachable_text
from bot.commands.papers import not_found, resolve_paper
from bot.llm.metered import Metered
from bot.models import Paper
from bot.posts import Answer, Error, Typing
from bot.qa.resolve import LookupUnreachable
from bot.review import PURPOSE, REVIEW_NEEDS_LLM, review_paper
from bot.store.channels import get_or_create_channel

REVIEW_FAILED = (
    "The review could not be written just now (the LLM did not answer). Try again later."
)
BUDGET_SPENT = (
    "Today's LLM budget is spent (LLM_DAILY_TOKEN_BUDGET), so no review can be written "
    "until tomorrow (UTC)."
)


async def review(ctx: Context, reference: str) -> None:
    """Post a referee's review of the paper in this conversation (its thread, for a button)."""
    deps = ctx.deps
    paper = await _paper(ctx, reference)
    if paper is None:
        await ctx.error(not_found(reference))
        return
    if deps.llm is None or deps.usage is None:
        await ctx.error(REVIEW_NEEDS_LLM)
        return
    conversation, asked = ctx.message.conversation, ctx.message.message_id
    await ctx.sender.send(Typing(conversation, reply_to=asked))
    async with deps.db.session() as session:
        channel = await get_or_create_channel(session, conversation, deps.settings)
    text = await review_paper(
        deps.llm, deps.settings, deps.usage, paper.title, paper.abstract, channel.language
    )
    body = f"**Review: {paper.title}**\n\n{text}" if text is not None else await _failed(deps)
    post = Answer if text is not None else Error
    await ctx.sender.send(post(conversation, body, reply_to=asked))


async def _failed(deps: BotDeps) -> str:
    """Why no review came: today's budget is spent, or the LLM did not answer."""
    assert deps.llm is not None and deps.usage is not None
    calls = Metered.for_purpose(deps.llm, deps.settings, deps.usage, PURPOSE)
    return BUDGET_SPENT if await calls.over_budget() else REVIEW_FAILED


async def _paper(ctx: Context, reference: str) -> Paper | None:
    """A stored paper, or one looked up through the arXiv/bioRxiv APIs when Q&A is wired."""
    paper = await resolve_paper(ctx, reference)
    if paper is None and ctx.deps.qa is not None and not reference.strip().isdigit():
        try:
            paper = await ctx.deps.qa.resolve(reference)
        except LookupUnreachable as error:
            raise CommandError(unreachable_text(error, reference)) from None
    return paper
