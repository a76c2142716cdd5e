"""The fetch job: fetch what some channel follows, and retry failed sources with backoff."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import structlog

from bot.config import Settings
from bot.fetching import FetchReport, PaperFetcher
from bot.source_plan import SourcePlan, parse_topics, plan_sources
from bot.store.channels import channels_with_topics
from bot.store.db import Database

log = structlog.get_logger(__name__)


async def followed_plan(db: Database, settings: Settings) -> SourcePlan:
    """Everything the active channels' topics need fetched."""
    async with db.session() as session:
        subscribed = await channels_with_topics(session)
    texts = (t.query for channel, topics in subscribed if not channel.paused for t in topics)
    return plan_sources(parse_topics(texts), settings)


def only(plan: SourcePlan, part: str) -> SourcePlan:
    """The arXiv part of a plan ("arxiv") or everything else ("others")."""
    if part == "arxiv":
        return SourcePlan(arxiv_categories=plan.arxiv_categories)
    return replace(plan, arxiv_categories=frozenset())


async def run(
    db: Database, fetcher: PaperFetcher, settings: Settings, *, on: date, part: str = "all"
) -> FetchReport:
    """Fetch the followed sources (all, only arXiv, or only the others) for the date `on`."""
    plan = await followed_plan(db, settings)
    if part != "all":
        plan = only(plan, part)
    if plan.is_empty:
        return FetchReport(())
    report = await fetcher.fetch(plan, on=on)
    log.info(
        "fetch run", part=part, on=str(on), sources=len(report.sources),
        failed=len(report.failed), papers=sum(s.papers for s in report.sources),
    )  # fmt: skip
    return report
