"""Selecting many channels' digests at once: the store read in a few bulk queries per day.

The result is what `DigestService.select` gives channel by channel; only the reading differs
(last digest dates, votes and delivered versions for all channels together), and each topic
text is compiled once however many channels follow it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.build import Selected, candidates, pick_fresh, pick_top, scored_candidates
from bot.digest.corpus import Corpus, load_corpus
from bot.digest.feedback import FeedbackProfile, content_terms
from bot.digest.news import NewsWindow, corpus_span, fresh_topics, news_count, news_window
from bot.models import Channel, Paper, Topic
from bot.query import CompiledQuery
from bot.source_plan import compile_topics
from bot.store.deliveries import delivered_versions_many, previous_digests
from bot.store.feedback import channels_votes
from bot.store.library import libraries_papers

if TYPE_CHECKING:
    from bot.rank.semantic import Relevance

ChannelTopics = tuple[Channel, list[Topic]]
YIELD_EVERY = 25  # channels selected between turns given to other tasks (a chunk posting)


def profile_of(votes: Iterable[tuple[Paper, int]]) -> FeedbackProfile:
    """A channel's taste from (paper, net vote) pairs."""
    return FeedbackProfile.of((content_terms(p.title, p.abstract), v) for p, v in votes)


@dataclass
class TopicCache:
    """Compiled topics by query text, shared by every channel of a batch (or of a service's
    runs: the `limit` texts used most recently are kept)."""

    compiled: OrderedDict[str, list[CompiledQuery]] = field(default_factory=OrderedDict)
    limit: int = 20_000

    def topics(self, topics: Sequence[Topic]) -> list[CompiledQuery]:
        """The compiled queries of these topics (texts that no longer parse are skipped)."""
        result: list[CompiledQuery] = []
        for topic in topics:
            found = self.compiled.get(topic.query)
            if found is None:
                found = self.compiled[topic.query] = compile_topics([topic.query])
                if len(self.compiled) > self.limit:
                    self.compiled.popitem(last=False)
            else:
                self.compiled.move_to_end(topic.query)
            result.extend(found)
        return result


async def select_group(
    session: AsyncSession,
    group: Sequence[ChannelTopics],
    windows: Sequence[NewsWindow],
    corpus: Corpus,
    cache: TopicCache,
    relevance: Relevance | None = None,
    limits: Sequence[int | None] | None = None,
) -> list[tuple[list[Selected], int, int]]:
    """(selected, matched, news) per channel of a group sharing one corpus; `limits` caps
    each channel's pick (None: its size)."""
    ids = [channel.id for channel, _ in group if channel.id is not None]
    votes = await channels_votes(session, ids)
    got = await delivered_versions_many(session, ids, sorted(corpus.papers), corpus.new_from)
    chosen = []
    shared = await _shared_semantic(session, relevance, ids, list(corpus.papers))
    caps = limits or [None] * len(group)
    for n, ((channel, topics), window, cap) in enumerate(zip(group, windows, caps, strict=True)):
        assert channel.id is not None
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a chunk posting meanwhile gets its turn
        profile: FeedbackProfile | None = profile_of(votes.get(channel.id, []))
        added = [(t.created_at, cache.topics([t])) for t in topics]
        fresh = fresh_topics(added, window, corpus)
        semantic = None
        if relevance is not None and shared is not None:
            vectors, libraries = shared
            taste = await relevance.profile_of(
                session, libraries.get(channel.id, []), votes.get(channel.id, [])
            )
            semantic = (vectors, taste, relevance.weight)
        compiled, mine = [q for _, queries in added for q in queries], got.get(channel.id, {})
        tasted = semantic is not None and semantic[1] is not None and not semantic[1].is_empty
        if not tasted and profile.is_empty:  # ranked by its topics alone: only the head counts
            ranked = candidates(channel, compiled, corpus, window, fresh)
            selected, matched = pick_top(channel, ranked, corpus, mine, cap, compiled)
        else:
            ranked, reasons = scored_candidates(channel, compiled, corpus, semantic, window, fresh)
            profile = None if tasted else profile  # votes count through the semantic profile
            selected, matched = pick_fresh(channel, ranked, corpus, mine, cap, profile, reasons)
        chosen.append((selected, matched, news_count(corpus, window, fresh)))
    return chosen


async def _shared_semantic(
    session: AsyncSession, relevance: Relevance | None, ids: list[int], paper_ids: list[int]
) -> tuple[dict[int, Any], dict[int, list[Paper]]] | None:
    """The corpus's vectors and the channels' libraries, read once for the group."""
    if relevance is None or relevance.vectors_model is None:
        return None
    return await relevance.vectors(session, paper_ids), await libraries_papers(session, ids)


async def select_many(
    session: AsyncSession,
    channels: Sequence[ChannelTopics],
    anchor: date,
    corpus: Corpus | None = None,
    backfill_days: int = 7,
    relevance: Relevance | None = None,
    limits: Sequence[int | None] | None = None,
    topics: TopicCache | None = None,
) -> list[tuple[list[Selected], int, int]]:
    """(selected, matched, news count) per channel, in order, as `DigestService.select`
    (`topics`: compiled topics kept from earlier calls)."""
    ids = [channel.id for channel, _ in channels if channel.id is not None]
    previous = await previous_digests(session, ids, anchor)
    first, last = corpus_span(anchor, backfill_days)
    if corpus is None or (corpus.first, corpus.last) != (first, last):
        corpus = await load_corpus(session, first, last)
    windows = [news_window(anchor, previous.get(c.id or 0), backfill_days) for c, _ in channels]
    return await select_group(
        session, channels, windows, corpus, topics or TopicCache(), relevance, limits
    )
