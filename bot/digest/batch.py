"""Selecting many channels' digests at once: the store read in a few bulk queries per day.

The result is what `DigestService.select` gives channel by channel; only the reading differs
(last digest dates, votes and delivered versions for all channels together), and each topic
text is compiled once however many channels follow it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.build import Selected, digest_window, pick_fresh, scored_candidates
from bot.digest.corpus import Corpus, load_corpus
from bot.digest.feedback import FeedbackProfile, content_terms
from bot.models import Channel, Paper, Topic
from bot.query import CompiledQuery
from bot.store.deliveries import delivered_versions_many, last_digest_dates
from bot.store.feedback import channels_votes
from bot.topics import compile_topics

if TYPE_CHECKING:
    from bot.rank.semantic import Relevance

ChannelTopics = tuple[Channel, list[Topic]]


def profile_of(votes: Iterable[tuple[Paper, int]]) -> FeedbackProfile:
    """A channel's taste from (paper, net vote) pairs."""
    return FeedbackProfile.of((content_terms(p.title, p.abstract), v) for p, v in votes)


@dataclass
class TopicCache:
    """Compiled topics by query text, shared by every channel in a batch."""

    compiled: dict[str, list[CompiledQuery]] = field(default_factory=dict)

    def topics(self, topics: Sequence[Topic]) -> list[CompiledQuery]:
        """The compiled queries of these topics (texts that no longer parse are skipped)."""
        result: list[CompiledQuery] = []
        for topic in topics:
            if topic.query not in self.compiled:
                self.compiled[topic.query] = compile_topics([topic.query])
            result.extend(self.compiled[topic.query])
        return result


def group_by_window(
    channels: Sequence[ChannelTopics], last: dict[int, date], anchor: date
) -> dict[tuple[date, date], list[int]]:
    """Positions in `channels` grouped by the announcement window each digest covers."""
    groups: dict[tuple[date, date], list[int]] = defaultdict(list)
    for position, (channel, _) in enumerate(channels):
        assert channel.id is not None
        groups[digest_window(anchor, last.get(channel.id))].append(position)
    return groups


async def select_group(
    session: AsyncSession,
    group: Sequence[ChannelTopics],
    corpus: Corpus,
    cache: TopicCache,
    relevance: Relevance | None = None,
) -> list[tuple[list[Selected], int]]:
    """(selected, matched) per channel of a group sharing one corpus."""
    ids = [channel.id for channel, _ in group if channel.id is not None]
    votes = await channels_votes(session, ids)
    got = await delivered_versions_many(session, ids, sorted(corpus.papers))
    chosen = []
    for channel, topics in group:
        assert channel.id is not None
        profile: FeedbackProfile | None = profile_of(votes.get(channel.id, []))
        ids = list(corpus.papers)
        semantic = await relevance.semantic(session, channel.id, ids) if relevance else None
        vectors, sem_profile, weight = semantic or ({}, None, 0.0)
        ranked, reasons = scored_candidates(
            channel, cache.topics(topics), corpus, vectors, sem_profile, weight
        )
        if sem_profile is not None and not sem_profile.is_empty:
            profile = None  # the votes count through the semantic profile
        fresh = got.get(channel.id, {})
        chosen.append(pick_fresh(channel, ranked, corpus, fresh, None, profile, reasons))
    return chosen


async def select_many(
    session: AsyncSession,
    channels: Sequence[ChannelTopics],
    anchor: date,
    corpus: Corpus | None = None,
    relevance: Relevance | None = None,
) -> list[tuple[list[Selected], int, int]]:
    """(selected, matched, corpus size) per channel, in order, as `DigestService.select`."""
    ids = [channel.id for channel, _ in channels if channel.id is not None]
    last = await last_digest_dates(session, ids, anchor)
    cache = TopicCache()
    results: list[tuple[list[Selected], int, int]] = [([], 0, 0)] * len(channels)
    for (first, last_day), positions in group_by_window(channels, last, anchor).items():
        if corpus is None or (corpus.first, corpus.last) != (first, last_day):
            window_corpus = await load_corpus(session, first, last_day)
        else:
            window_corpus = corpus
        group = [channels[p] for p in positions]
        chosen = await select_group(session, group, window_corpus, cache, relevance)
        for position, (selected, matched) in zip(positions, chosen, strict=True):
            results[position] = (selected, matched, len(window_corpus.papers))
    return results
