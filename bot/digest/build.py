"""Building a channel's digest: new matching papers, ranked, capped and grouped by category.

What a digest covers: every matching paper that was first seen since the channel's previous
digest, or announced since then (arXiv: today's mailing is today's news), or, for a topic new
since then, announced within the backfill window; and that was never delivered to that
channel (a replacement only with `replacements on`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.corpus import Corpus
from bot.digest.feedback import MAX_FACTOR, MIN_FACTOR, FeedbackProfile
from bot.digest.model import Digest, DigestPaper, DigestSection
from bot.digest.news import Fresh, NewsWindow, news_ids
from bot.models import Announcement, Channel, Paper
from bot.paper_view import PaperFields
from bot.query import CompiledQuery, rank
from bot.rank.relevance import Profile, Reasons, lexical_part, relevance_of
from bot.store.deliveries import delivered_versions
from bot.summary.types import Summary


@dataclass(frozen=True)
class Selected:
    """A paper chosen for a digest, with its announcement and relevance."""

    paper: Paper
    announcement: Announcement
    relevance: float  # 0–100, see bot.rank.relevance
    reason: str = ""  # one line: matched terms, the closest library paper, a liked one


def apply_feedback(
    ranked: list[tuple[int, float]],
    corpus: Corpus,
    profile: FeedbackProfile | None,
    keep: int | None = None,
) -> list[tuple[int, float]]:
    """Re-weigh ranked papers (best first) by the channel's 👍/👎 taste.

    With `keep`, only the candidates that can still reach the top `keep` are re-weighed: the
    factor lies in [MIN_FACTOR, MAX_FACTOR], so a paper scoring below the keep-th best times
    MIN_FACTOR / MAX_FACTOR is beaten by at least `keep` others whatever the votes; those
    follow the re-weighed head in their own order. Unchanged when the channel has no votes.
    """
    if profile is None or profile.is_empty:
        return ranked
    head, tail = ranked, []
    if keep is not None and 0 < keep < len(ranked) and ranked[keep - 1][1] > 0:
        bar = ranked[keep - 1][1] * MIN_FACTOR / MAX_FACTOR
        cut = next((n for n, (_, score) in enumerate(ranked) if score < bar), len(ranked))
        head, tail = ranked[:cut], ranked[cut:]
    weighed = [(pid, score * profile.factor_of(pid, corpus.terms)) for pid, score in head]
    return sorted(weighed, key=lambda item: (-item[1], item[0])) + tail


def candidates(
    channel: Channel,
    topics: Sequence[CompiledQuery],
    corpus: Corpus,
    window: NewsWindow | None = None,
    fresh: Fresh = (),
) -> list[tuple[int, float]]:
    """The channel's ranked (paper id, score) matches that are news in `window` (None: all),
    replacements left out unless wanted (votes re-weigh them later, in `pick_fresh`)."""
    ranked = rank(corpus.index, topics) if topics else []
    if window is not None:
        news = news_ids(corpus, window, fresh)
        ranked = [item for item in ranked if item[0] in news]
    if channel.replacements or not corpus.replacements:
        return ranked
    left_out = corpus.replacements
    return [item for item in ranked if item[0] not in left_out]


def pick_fresh(
    channel: Channel,
    ranked: Sequence[tuple[int, float]],
    corpus: Corpus,
    got: Mapping[int, int],
    limit: int | None = None,
    profile: FeedbackProfile | None = None,
    reasons: Mapping[int, str] | None = None,
) -> tuple[list[Selected], int]:
    """The ranked papers not yet delivered (`got`: paper id -> version), re-weighed by the
    channel's votes, those under the channel's min-score left out, capped at `limit`
    (default: the channel's size); and how many matched (threshold or not)."""
    if got:
        versions, again = corpus.versions, channel.replacements
        ranked = [i for i in ranked if i[0] not in got or (again and versions[i[0]] > got[i[0]])]
    size = limit or channel.max_papers
    ranked = apply_feedback(list(ranked), corpus, profile, keep=size)
    over = [i for i in ranked if i[1] >= channel.min_score] if channel.min_score else ranked
    chosen = []
    for paper_id, score in over[:size]:
        paper, announcement = corpus.papers[paper_id]
        chosen.append(Selected(paper, announcement, score, (reasons or {}).get(paper_id, "")))
    return chosen, len(ranked)


def pick_top(
    channel: Channel,
    ranked: Sequence[tuple[int, float]],
    corpus: Corpus,
    got: Mapping[int, int],
    limit: int | None,
    topics: Sequence[CompiledQuery],
) -> tuple[list[Selected], int]:
    """`pick_fresh` after `scored_candidates` for a channel ranked by its topics alone (no
    profile, no votes): the same papers, scores, reasons and count, with the relevance worked
    out only for the head (a digest shows ten of a few hundred matches).

    `ranked` is `candidates`' (paper id, topic score), best first; the relevance is a
    non-decreasing function of the score, so the head is the candidates down to the
    `size`-th eligible one and every one tied with it.
    """
    versions, again = corpus.versions, channel.replacements
    stale = {pid for pid, version in got.items() if not (again and versions.get(pid, 0) > version)}
    size = limit or channel.max_papers
    head: list[tuple[int, float]] = []
    lexical_of: dict[int, float] = {}
    parts: dict[float, float] = {}
    for pid, raw in ranked:
        lexical = parts.get(raw)
        if lexical is None:
            lexical = parts[raw] = lexical_part(raw)
        if head and len(head) >= size and lexical < head[-1][1]:
            break
        lexical_of[pid] = lexical
        if pid not in stale:
            head.append((pid, lexical))
    head.sort(key=itemgetter(0))
    head.sort(key=itemgetter(1), reverse=True)  # best first, ties by paper id
    over = [i for i in head[:size] if i[1] >= channel.min_score] if channel.min_score else head
    reasons = Reasons(corpus.index, topics, lexical_of, {}, 1.0)
    chosen = []
    for paper_id, score in over[:size]:
        paper, announcement = corpus.papers[paper_id]
        chosen.append(Selected(paper, announcement, score, reasons[paper_id]))
    matched = len(ranked) - (len(stale & {pid for pid, _ in ranked}) if stale else 0)
    return chosen, matched


Semantic = tuple[Mapping[int, np.ndarray], Profile | None, float]  # vectors, profile, weight


def scored_candidates(
    channel: Channel,
    topics: Sequence[CompiledQuery],
    corpus: Corpus,
    semantic: Semantic | None,
    window: NewsWindow | None = None,
    fresh: Fresh = (),
) -> tuple[list[tuple[int, float]], Mapping[int, str]]:
    """`candidates` on the 0–100 relevance scale, best first, with each one's reason."""
    vectors, profile, weight = semantic or ({}, None, 0.0)
    ranked = candidates(channel, topics, corpus, window, fresh)
    return relevance_of(ranked, corpus.index, topics, vectors, profile, weight)


def threshold_note(channel: Channel, shown: int, matched: int) -> str | None:
    """Says so when the min-score made the digest shorter than its size."""
    if not channel.min_score or shown >= channel.max_papers or matched <= shown:
        return None
    papers = "paper" if shown == 1 else "papers"
    return (
        f"{shown} {papers} over your threshold of {channel.min_score}; "
        f"{matched - shown} more matched"
    )


async def select_papers(
    session: AsyncSession,
    channel: Channel,
    topics: Sequence[CompiledQuery],
    corpus: Corpus,
    profile: FeedbackProfile | None = None,
    limit: int | None = None,
    window: NewsWindow | None = None,
    fresh: Fresh = (),
    semantic: Semantic | None = None,
) -> tuple[list[Selected], int]:
    """The channel's matching papers not yet delivered, ranked and capped; and how many matched.

    `semantic` is (corpus vectors, the channel's profile, blend weight); with a profile the
    👍/👎 count through it, so the term re-weighting is not applied twice.
    """
    assert channel.id is not None
    ranked, reasons = scored_candidates(channel, topics, corpus, semantic, window, fresh)
    sem_profile = semantic[1] if semantic else None
    got = await delivered_versions(session, channel.id, [paper_id for paper_id, _ in ranked])
    if sem_profile is not None and not sem_profile.is_empty:
        profile = None
    return pick_fresh(channel, ranked, corpus, got, limit, profile, reasons)


def group_sections(
    selected: Sequence[Selected],
    summaries: Mapping[int, Summary],
    fields: PaperFields | None = None,
) -> tuple[DigestSection, ...]:
    """Group by primary category (largest group first, ties by best paper) and number papers
    (`fields`: the papers' view fields, read once for many digests)."""
    fields = fields or PaperFields()
    groups: dict[str, list[Selected]] = {}
    for item in selected:
        groups.setdefault(item.paper.primary_category or "other", []).append(item)
    order = sorted(groups.items(), key=lambda kv: (-len(kv[1]), -kv[1][0].relevance, kv[0]))
    sections = []
    number = 0
    for category, items in order:
        papers = []
        for item in items:
            number += 1
            summary = summaries[item.paper.id]  # type: ignore[index]
            papers.append(_digest_paper(number, item, summary, fields.of(item.paper)))
        sections.append(DigestSection(category, tuple(papers)))
    return tuple(sections)


def _digest_paper(
    number: int, item: Selected, summary: Summary, fields: dict[str, Any]
) -> DigestPaper:
    return DigestPaper(
        **fields, summary=summary, number=number, announce_type=item.announcement.announce_type,
        version=item.paper.version, relevance=round(item.relevance, 2), reason=item.reason,
    )  # fmt: skip


def make_digest(
    channel: Channel,
    digest_date: date,
    selected: Sequence[Selected],
    matched: int,
    summaries: Mapping[int, Summary],
    notes: Sequence[str] = (),
    fields: PaperFields | None = None,
) -> Digest:
    """Assemble the neutral Digest object."""
    assert channel.id is not None
    return Digest(
        channel_id=channel.id,
        digest_date=digest_date,
        language=channel.language,
        sections=group_sections(selected, summaries, fields),
        matched=matched,
        notes=tuple(notes),
    )
