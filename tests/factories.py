"""Factories for the core's objects, so tests state only what matters to them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from bot.messages import Conversation, IncomingMessage
from bot.sources.types import FetchedPaper

_ids = itertools.count(1)


def fetched_paper(**overrides: Any) -> FetchedPaper:
    """An arXiv paper as a feed reports it; override any field."""
    n = next(_ids)
    arxiv_id = overrides.pop("arxiv_id", f"2501.{n:05d}")
    base = FetchedPaper(
        source="arxiv",
        key=f"arxiv:{arxiv_id}",
        title=f"Paper number {n}",
        abstract="We propose a method. It works well on benchmarks.",
        authors=("Ada Lovelace", "Alan Turing"),
        announced_on=date(2025, 4, 28),
        announce_type="new",
        categories=("cs.CL",),
        primary_category="cs.CL",
        arxiv_id=arxiv_id,
        version=1,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v1",
    )
    return replace(base, **overrides)


def conversation(**overrides: Any) -> Conversation:
    """A console conversation; override platform, channel, workspace or thread."""
    return replace(Conversation(platform="console", channel="console"), **overrides)


def incoming(text: str, **overrides: Any) -> IncomingMessage:
    """A message in a conversation; override conversation, user or is_admin."""
    convo = overrides.pop("conversation", conversation())
    return IncomingMessage(conversation=convo, text=text, user="tester", **overrides)


async def digests_in_bulk(
    digests: Any, channels: Sequence[tuple[Any, Any]], day: date, corpus: Any = None
) -> list[Any]:
    """What the delivery job makes for a chunk: `select_many`, then `assemble_many`."""
    selections = await digests.select_many(channels, day, corpus=corpus)
    return list(await digests.assemble_many(
        [c for c, _ in channels], day, selections, [()] * len(channels)
    ))  # fmt: skip
