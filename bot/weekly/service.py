"""Composing a channel's weekly briefing from what it got that week.

Top papers: the papers delivered to the channel in the week, ordered by their summary's 0–100
score plus VOTE_WEIGHT (10) points per net 👍 (👍 minus 👎 in the channel), then by score,
then by the day they came. Themes: one LLM call across the week's top papers when an LLM is
configured, else keyword clusters with counts and the change on the week before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from bot.digest.corpus import index_doc
from bot.digest.llm_extras import DigestLLM
from bot.digest.model import DigestPaper
from bot.impact.tournament import Candidate, ImpactPick, Tournament
from bot.models import Channel, Paper, Topic
from bot.query.index import PaperIndex
from bot.source_plan import compile_topics
from bot.store.db import Database
from bot.summary.service import SummaryService
from bot.summary.types import Summary
from bot.weekly.collect import delivered_between, net_votes
from bot.weekly.fields import CrossField, WeekPaper, offline_cross_field
from bot.weekly.model import Briefing, TopicCounts, TopPaper, week_days
from bot.weekly.themes import Tagged, weekly_keyword_themes

TOP_PAPERS = 5
THEME_PAPERS = 20  # the top papers the one LLM themes call reads
Week = list[tuple[Paper, date]]


class WeeklyService:
    """Makes weekly briefings from the store (summaries come from the summary cache)."""

    def __init__(
        self, db: Database, summaries: SummaryService, llm: DigestLLM | None = None
    ) -> None:
        self._db = db
        self._summaries = summaries
        self._llm = llm

    async def compose(self, channel: Channel, topics: list[Topic], on: date) -> Briefing | None:
        """The briefing for the 7 days before `on`; None when the channel got no papers then."""
        assert channel.id is not None
        days = week_days(on)
        week, before, votes = await self._read(channel.id, days[0], days[-1])
        if not week:
            return None
        papers = [p for p, _ in week] + [p for p, _ in before]
        summaries = await self._summaries.summaries(papers, channel.language)
        ranked = rank_papers(week, summaries, votes)
        themes = await self._themes(ranked, week, before, summaries, channel.language)
        counts = topic_counts(topics, week, days)
        top = tuple(ranked[:TOP_PAPERS])
        impact = await self.tournament(ranked, summaries)
        cross = await self.cross_field(ranked, week, summaries, channel.language)
        return Briefing(
            channel.id, on, channel.language, len(week), top, themes, counts, impact, cross
        )

    async def ranked_between(
        self, channel: Channel, first: date, last: date
    ) -> tuple[list[TopPaper], dict[int, Summary]]:
        """The papers the channel got in [first, last], best first by score and votes."""
        assert channel.id is not None
        week, _, votes = await self._read(channel.id, first, last, earlier=False)
        summaries = await self._summaries.summaries([p for p, _ in week], channel.language)
        return rank_papers(week, summaries, votes), summaries

    async def tournament(
        self, ranked: Sequence[TopPaper], summaries: Mapping[int, Summary]
    ) -> tuple[ImpactPick, ...]:
        """The impact tournament's top papers over the best candidates; () offline or failed."""
        judge = self._llm.judge if self._llm is not None else None
        if judge is None or self._llm is None:
            return ()
        limit = self._llm.settings.impact_candidates
        candidates = [candidate(t, summaries.get(t.paper_id)) for t in ranked[:limit]]
        if len(candidates) < 2:
            return ()
        result = await Tournament(judge, top=TOP_PAPERS).rank(candidates)
        decided = sum(p.wins for p in result.picks)
        return result.picks if decided else ()

    async def cross_field(
        self,
        ranked: Sequence[TopPaper],
        week: Week,
        summaries: Mapping[int, Summary],
        language: str,
    ) -> CrossField | None:
        """Per-field notes and connections when the week spans several fields, else None."""
        sources = {p.id: p.source for p, _ in week}
        papers = [
            WeekPaper(n, t.title, t.url, sources.get(t.paper_id, ""), t.category, summary)
            for n, t in enumerate(ranked, 1)
            if (summary := summaries.get(t.paper_id)) is not None
        ]
        written = await self._llm.cross_field(papers, language) if self._llm else None
        return written or offline_cross_field(papers)

    async def _read(
        self, channel_id: int, first: date, last: date, *, earlier: bool = True
    ) -> tuple[Week, Week, dict[int, int]]:
        async with self._db.session() as session:
            week = await delivered_between(session, channel_id, first, last)
            before: Week = []
            if earlier:
                start = first - timedelta(days=7)
                before = await delivered_between(session, channel_id, start, first - timedelta(1))
            votes = await net_votes(session, channel_id, [p.id for p, _ in week if p.id])
        return week, before, votes

    async def _themes(
        self,
        ranked: Sequence[TopPaper],
        week: Week,
        before: Week,
        summaries: Mapping[int, Summary],
        language: str,
    ) -> tuple[str, ...]:
        if self._llm is not None:
            by_id = {p.id: p for p, _ in week}
            chosen = [(by_id[t.paper_id], summaries[t.paper_id]) for t in ranked[:THEME_PAPERS]]
            papers = [digest_paper(n, p, s) for n, (p, s) in enumerate(chosen, 1)]
            written = await self._llm.themes(papers, language)
            if written:
                return written
        return weekly_keyword_themes(tagged(week, summaries), tagged(before, summaries), language)


def rank_papers(
    week: Week, summaries: Mapping[int, Summary], votes: Mapping[int, int]
) -> list[TopPaper]:
    """The week's papers best first: score + VOTE_WEIGHT × net votes, then score, then day."""
    ranked = []
    for order, (paper, _) in enumerate(week):
        assert paper.id is not None
        summary = summaries.get(paper.id)
        top = TopPaper(
            paper.id, paper.title, paper.abs_url, paper.primary_category,
            summary.score if summary else 0, votes.get(paper.id, 0),
            summary.one_line if summary else "",
        )  # fmt: skip
        ranked.append((-top.rank, -top.score, order, top))
    return [top for *_, top in sorted(ranked, key=lambda r: r[:3])]


def topic_counts(
    topics: Sequence[Topic], week: Week, days: Sequence[date]
) -> tuple[TopicCounts, ...]:
    """Per topic, how many of the week's papers it matched on each day (unmatched: "other")."""
    index = PaperIndex(index_doc(paper) for paper, _ in week)
    counts: list[TopicCounts] = []
    claimed: set[int] = set()
    for topic in topics:
        compiled = compile_topics([topic.query])
        matched = compiled[0].matches(index) if compiled else frozenset()
        claimed |= matched
        counts.append(TopicCounts(topic.query, per_day(week, days, matched)))
    rest = frozenset(index.all_ids - claimed)
    if rest:
        counts.append(TopicCounts("other", per_day(week, days, rest)))
    return tuple(counts)


def per_day(week: Week, days: Sequence[date], ids: frozenset[int]) -> tuple[int, ...]:
    """How many of `ids` came on each of `days`."""
    return tuple(sum(1 for p, d in week if d == day and p.id in ids) for day in days)


def tagged(week: Week, summaries: Mapping[int, Summary]) -> list[Tagged]:
    """The week's summaries with their papers' categories."""
    return [Tagged(summaries[p.id], p.primary_category) for p, _ in week if p.id in summaries]


def digest_paper(number: int, paper: Paper, summary: Summary) -> DigestPaper:
    """A paper as the LLM themes prompt reads it."""
    return DigestPaper.of(
        paper, summary, number=number, announce_type="new", version=paper.version, relevance=0.0
    )


def candidate(top: TopPaper, summary: Summary | None) -> Candidate:
    """A ranked paper as the impact judge reads it (its TL;DR and result)."""
    text = " ".join(x for x in (summary.tldr, summary.result) if x) if summary else top.one_line
    return Candidate(top.paper_id, top.title, top.url, top.category, text or top.title)
