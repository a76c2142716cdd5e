"""Building a channel's digest: new matching papers, ranked, capped and grouped by category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.corpus import Corpus
from bot.digest.feedback import FeedbackProfile
from bot.digest.model import Digest, DigestPaper, DigestSection
from bot.models import Announcement, Channel, Paper
from bot.query import CompiledQuery, rank
from bot.store.deliveries import delivered_versions
from bot.summary.types import Summary

MAX_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Selected:
    """A paper chosen for a digest, with its announcement and relevance."""

    paper: Paper
    announcement: Announcement
    relevance: float


def digest_window(anchor: date, last_digest: date | None) -> tuple[date, date]:
    """The announcement dates a digest on `anchor` covers: since the last digest, at most a week."""
    if last_digest is None or last_digest >= anchor:
        return anchor, anchor
    days = min((anchor - last_digest).days, MAX_WINDOW_DAYS)
    return anchor - timedelta(days=days - 1), anchor


def apply_feedback(
    ranked: list[tuple[int, float]], corpus: Corpus, profile: FeedbackProfile | None
) -> list[tuple[int, float]]:
    """Re-weigh ranked papers by the channel's 👍/👎 taste (unchanged when it has none)."""
    if profile is None or profile.is_empty:
        return ranked
    weighed = [(pid, score * profile.factor(corpus.terms(pid))) for pid, score in ranked]
    return sorted(weighed, key=lambda item: (-item[1], item[0]))


def candidates(
    channel: Channel,
    topics: Sequence[CompiledQuery],
    corpus: Corpus,
    profile: FeedbackProfile | None = None,
) -> list[tuple[int, float]]:
    """The channel's ranked (paper id, score) matches, replacements left out unless wanted."""
    ranked = apply_feedback(rank(corpus.index, topics) if topics else [], corpus, profile)
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
) -> tuple[list[Selected], int]:
    """The ranked papers not yet delivered (`got`: paper id -> version), capped at `limit`
    (default: the channel's size); and how many there were."""
    if got:
        versions, again = corpus.versions, channel.replacements
        ranked = [i for i in ranked if i[0] not in got or (again and versions[i[0]] > got[i[0]])]
    chosen = []
    for paper_id, score in ranked[: limit or channel.max_papers]:
        paper, announcement = corpus.papers[paper_id]
        chosen.append(Selected(paper, announcement, score))
    return chosen, len(ranked)


async def select_papers(
    session: AsyncSession,
    channel: Channel,
    topics: Sequence[CompiledQuery],
    corpus: Corpus,
    profile: FeedbackProfile | None = None,
    limit: int | None = None,
) -> tuple[list[Selected], int]:
    """The channel's matching papers not yet delivered, ranked and capped; and how many matched."""
    assert channel.id is not None
    ranked = candidates(channel, topics, corpus, profile)
    got = await delivered_versions(session, channel.id, [paper_id for paper_id, _ in ranked])
    return pick_fresh(channel, ranked, corpus, got, limit)


def group_sections(
    selected: Sequence[Selected], summaries: Mapping[int, Summary]
) -> tuple[DigestSection, ...]:
    """Group by primary category (largest group first, ties by best paper) and number papers."""
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
            papers.append(_digest_paper(number, item, summaries[item.paper.id]))  # type: ignore[index]
        sections.append(DigestSection(category, tuple(papers)))
    return tuple(sections)


def _digest_paper(number: int, item: Selected, summary: Summary) -> DigestPaper:
    paper = item.paper
    assert paper.id is not None
    return DigestPaper(
        number=number,
        paper_id=paper.id,
        key=paper.key,
        title=paper.title,
        authors=tuple(paper.authors),
        primary_category=paper.primary_category,
        categories=tuple(paper.categories),
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        announce_type=item.announcement.announce_type,
        version=paper.version,
        relevance=round(item.relevance, 3),
        summary=summary,
    )


def make_digest(
    channel: Channel,
    digest_date: date,
    selected: Sequence[Selected],
    matched: int,
    summaries: Mapping[int, Summary],
    notes: Sequence[str] = (),
) -> Digest:
    """Assemble the neutral Digest object."""
    assert channel.id is not None
    return Digest(
        channel_id=channel.id,
        digest_date=digest_date,
        language=channel.language,
        sections=group_sections(selected, summaries),
        matched=matched,
        notes=tuple(notes),
    )
