"""Composing a channel's digest: fetch what its topics need, select, summarize, assemble."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.digest.batch import YIELD_EVERY, TopicCache, profile_of, select_many
from bot.digest.build import Selected, make_digest, threshold_note
from bot.digest.corpus import Corpus, CorpusCache, load_corpus
from bot.digest.feedback import FeedbackProfile
from bot.digest.llm_extras import DigestLLM
from bot.digest.model import Digest
from bot.digest.news import corpus_span
from bot.digest.themes import MAX_THEMES, keyword_themes
from bot.fetching import FetchReport, PaperFetcher
from bot.i18n import labels
from bot.models import Channel, Paper, Topic
from bot.rank.semantic import Relevance
from bot.source_plan import parse_topics, plan_sources
from bot.store.db import Database
from bot.store.feedback import channel_votes
from bot.store.papers import latest_announcement_date
from bot.summary.service import SummaryService
from bot.summary.types import Summary

MIN_THEMES = 2  # fewer LLM theme lines than this are topped up with keyword themes


@dataclass(frozen=True)
class Selection:
    """What a digest will show before it is summarized: papers, match count, corpus size."""

    selected: list[Selected]
    matched: int
    corpus_size: int
    corpus: Corpus | None = None  # the window's papers, for category themes (None: replanned)


class DigestService:
    """Makes digests for channels from the store, fetching first when asked to."""

    def __init__(
        self,
        db: Database,
        fetcher: PaperFetcher,
        summaries: SummaryService,
        settings: Settings,
        llm: DigestLLM | None = None,
        relevance: Relevance | None = None,
    ) -> None:
        self._relevance = relevance  # semantic ranking; None: lexical only
        self._db = db
        self._fetcher = fetcher
        self._summaries = summaries
        self._settings = settings
        self._llm = llm  # rerank and themes
        self._topics = TopicCache()  # compiled topic texts, kept across runs

    @property
    def relevance(self) -> Relevance | None:
        """The semantic side of ranking, when wired."""
        return self._relevance

    @property
    def summaries(self) -> SummaryService:
        """The summary service digests use (briefings share its cache)."""
        return self._summaries

    @property
    def llm(self) -> DigestLLM | None:
        """The LLM extras (rerank, themes), when an LLM is configured."""
        return self._llm

    async def fetch_for(self, topics: list[Topic], on: date) -> FetchReport:
        """Fetch what these topics need for the date `on`."""
        plan = plan_sources(parse_topics(t.query for t in topics), self._settings)
        return await self._fetcher.fetch(plan, on=on)

    async def latest_date(self, today: date) -> date | None:
        """The date a digest made now covers: today, or arXiv's latest mailing when the
        store has nothing newer (the feed's own date is its mailing's); None when only
        feeds that stopped publishing have anything."""
        stale_from = today - timedelta(days=self._settings.stale_feed_days)
        async with self._db.session() as session:
            arxiv = await latest_announcement_date(session, today, arxiv=True)
            other = await latest_announcement_date(session, today, arxiv=False)
        if other is not None and other >= stale_from:
            return today
        return arxiv

    async def select(
        self,
        channel: Channel,
        topics: list[Topic],
        anchor: date,
        *,
        corpus: Corpus | None = None,
        corpora: CorpusCache | None = None,
    ) -> Selection:
        """The channel's matching papers for `anchor` not yet delivered, ranked and capped.

        They are the papers first seen (or announced) since the channel's previous digest,
        and a new topic's backfill. `corpora` shares the indexed papers between the channels
        of one delivery run. The same path as `select_many`, for one channel.
        """
        found = await self.select_many([(channel, topics)], anchor, corpus=corpus, corpora=corpora)
        return found[0]

    async def select_many(
        self,
        channels: Sequence[tuple[Channel, list[Topic]]],
        anchor: date,
        *,
        corpus: Corpus | None = None,
        corpora: CorpusCache | None = None,
    ) -> list[Selection]:
        """`select` for many channels, in order: the store read in bulk, the index shared."""
        first, last_day = corpus_span(anchor, self._settings.digest_backfill_days)
        if corpus is None or (corpus.first, corpus.last) != (first, last_day):
            async with self._db.session() as session:
                corpus = await (corpora.get(session, first, last_day) if corpora
                                else load_corpus(session, first, last_day))  # fmt: skip
        if self._relevance is not None:  # papers fetched before the model was set, once
            await self._relevance.embed(sorted(corpus.papers))
        llm = self._llm
        limits = [llm.pool_size(c.max_papers) if llm else None for c, _ in channels]
        async with self._db.session() as session:
            chosen = await select_many(
                session, channels, anchor, corpus, self._settings.digest_backfill_days,
                self._relevance, limits, self._topics,
            )  # fmt: skip
        selections = []
        for (channel, topics), (selected, matched, size) in zip(channels, chosen, strict=True):
            if llm is not None:
                selected = await llm.rerank([t.query for t in topics], selected, channel.max_papers)
            selections.append(Selection(selected, matched, size, corpus))
        return selections

    async def assemble(
        self, channel: Channel, anchor: date, selection: Selection, notes: tuple[str, ...] = ()
    ) -> Digest:
        """Summarize the selected papers and build the Digest with its themes and notes."""
        selected = selection.selected
        summaries = await self._summaries.summaries([s.paper for s in selected], channel.language)
        digest = self._digest(channel, anchor, selection, summaries, notes)
        if self._llm is not None:
            written = await self._llm.digest_themes(
                digest.papers, channel.language, selection.corpus
            )
            digest = replace(digest, themes=with_keyword_themes(written, digest.themes))
        return digest

    def _digest(
        self,
        channel: Channel,
        anchor: date,
        selection: Selection,
        summaries: Mapping[int, Summary],
        notes: tuple[str, ...],
        run: CorpusCache | None = None,
    ) -> Digest:
        """The Digest with its themes and notes, from summaries already at hand (`run`: the
        delivery run's memos of themes and paper fields)."""
        mine = {s.paper.id: summaries[s.paper.id] for s in selection.selected if s.paper.id}
        extra = self._summary_notes(channel.language, mine.values())
        short = threshold_note(channel, len(selection.selected), selection.matched)
        extra = (short, *extra) if short else extra
        digest = make_digest(channel, anchor, selection.selected, selection.matched, mine,
                             (*notes, *extra), run.fields if run else None)  # fmt: skip
        shown = [p.summary for p in digest.papers]
        themes = (run.themes.themes(shown, channel.language) if run
                  else keyword_themes(shown, channel.language))  # fmt: skip
        return replace(digest, themes=themes)

    async def compose(
        self,
        channel: Channel,
        topics: list[Topic],
        anchor: date,
        *,
        corpus: Corpus | None = None,
        notes: tuple[str, ...] = (),
    ) -> Digest:
        """The channel's digest for announcement date `anchor` (papers not yet delivered)."""
        selection = await self.select(channel, topics, anchor, corpus=corpus)
        return await self.assemble(channel, anchor, selection, notes)

    async def assemble_many(
        self,
        channels: Sequence[Channel],
        anchor: date,
        selections: Sequence[Selection],
        notes: Sequence[tuple[str, ...]],
        run: CorpusCache | None = None,
    ) -> list[Digest]:
        """`assemble` for many channels: summaries read once per language, shared by digests
        (and by the later calls of one delivery run, through `run`, with the themes)."""
        by_language: dict[str, dict[int, Paper]] = defaultdict(dict)
        for channel, selection in zip(channels, selections, strict=True):
            papers = by_language[channel.language]
            papers.update({s.paper.id: s.paper for s in selection.selected if s.paper.id})
        run = run or CorpusCache()
        kept = run.summaries
        summaries = {}
        for language, papers in by_language.items():
            known = kept.setdefault(language, {})
            wanted = [p for pid, p in papers.items() if pid not in known]
            made = await self._summaries.summaries(wanted, language) if wanted else {}
            known.update({pid: s for pid, s in made.items() if not s.fallback})
            summaries[language] = {**known, **made}
        digests = []
        triples = zip(channels, selections, notes, strict=True)
        for n, (channel, selection, note) in enumerate(triples):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a chunk posting meanwhile gets its turn
            digest = self._digest(
                channel, anchor, selection, summaries[channel.language], note, run
            )
            if self._llm is not None:
                written = await self._llm.digest_themes(
                    digest.papers, channel.language, selection.corpus
                )
                digest = replace(digest, themes=with_keyword_themes(written, digest.themes))
            digests.append(digest)
        return digests

    def _summary_notes(self, language: str, summaries: Iterable[Summary]) -> tuple[str, ...]:
        t = labels(language)
        codes = getattr(self._summaries.summarizer, "notes", tuple)()
        notes = [t.get(code, code) for code in codes]
        items = list(summaries)
        if items and all(s.summarizer == "offline" and not s.fallback for s in items):
            notes.append(t["extractive"])
        elif items and all(s.fallback for s in items) and not codes:
            notes.append(t["fallback_all"])
        elif any(s.fallback for s in items) and not codes:
            notes.append(t["fallback"])
        return tuple(notes)


def with_keyword_themes(written: Sequence[str], keyword: Sequence[str]) -> tuple[str, ...]:
    """The LLM's theme lines, topped up with keyword themes when fewer than two were written."""
    if len(written) >= MIN_THEMES or not written:
        return tuple(written) or tuple(keyword)
    return tuple(dict.fromkeys((*written, *keyword)))[:MAX_THEMES]


async def feedback_profile(session: AsyncSession, channel_id: int) -> FeedbackProfile:
    """The channel's taste from the papers it voted on."""
    return profile_of(await channel_votes(session, channel_id))
