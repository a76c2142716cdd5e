"""Which papers of a corpus are news for a channel's digest: its window since the previous
digest, and the backfill of topics added since then.

The sets are computed once per window and shared by every channel of a delivery run whose
window is the same (the channels chosen together yesterday have one): per channel only set
unions remain.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.digest.corpus import Corpus
from bot.models import Announcement, Paper
from bot.query import CompiledQuery
from bot.store.deliveries import PreviousDigest, as_utc

MAX_WINDOW_DAYS = 7
SEEN_OVERLAP = timedelta(seconds=5)  # a fetch committing as a digest was chosen still counts
Fresh = Sequence[tuple[datetime, frozenset[int]]]  # a new topic: when added, what it backfills


def digest_window(anchor: date, last_digest: date | None) -> tuple[date, date]:
    """The announcement dates a digest on `anchor` covers: since the last digest, at most a week."""
    if last_digest is None or last_digest >= anchor:
        return anchor, anchor
    days = min((anchor - last_digest).days, MAX_WINDOW_DAYS)
    return anchor - timedelta(days=days - 1), anchor


@dataclass(frozen=True)
class NewsWindow:
    """Which papers of a corpus are news for one channel's digest on `anchor`."""

    anchor: date
    first: date  # announced on first..anchor: the mailings since the previous digest
    backfill_from: date  # late arrivals and a new topic's backfill: announced on or after
    seen_after: datetime | None  # first seen after this (the previous digest's choice)
    topics_after: datetime | None = None  # topics added after this are new (None: all are)

    def admits(self, paper: Paper, announcement: Announcement) -> bool:
        """True when the paper is news here: announced or first seen since the last digest."""
        if announcement.announced_on >= self.first:
            return True
        if announcement.announced_on < self.backfill_from or self.seen_after is None:
            return False
        return as_utc(paper.created_at) > self.seen_after

    def backfills(self, paper: Paper, announcement: Announcement, added: datetime) -> bool:
        """True when a topic added at `added` takes this paper as its backfill.

        arXiv keeps its announcement semantics: an earlier mailing is not backfilled, only
        what was first seen since the topic was added (an author's `au:` search).
        """
        if announcement.announced_on < self.backfill_from:
            return False
        return paper.source != "arxiv" or as_utc(paper.created_at) >= added


def news_window(anchor: date, previous: PreviousDigest | None, backfill_days: int) -> NewsWindow:
    """The news window of a digest on `anchor` after the channel's `previous` digest."""
    first, _ = digest_window(anchor, previous.digest_date if previous else None)
    chosen = previous.selected_at if previous else None
    seen = chosen - SEEN_OVERLAP if chosen else None
    topics = (chosen or previous.claimed_at) if previous else None
    return NewsWindow(anchor, first, anchor - timedelta(days=backfill_days), seen, topics)


def corpus_span(anchor: date, backfill_days: int) -> tuple[date, date]:
    """The announcement dates a corpus must hold for every channel's digest on `anchor`."""
    days = max(MAX_WINDOW_DAYS - 1, backfill_days)
    return anchor - timedelta(days=days), anchor


def admitted(corpus: Corpus, window: NewsWindow) -> frozenset[int]:
    """The corpus's papers the window admits (`NewsWindow.admits`), once per window."""
    key = ("admitted", window.first, window.backfill_from, window.seen_after)
    return corpus.memo(key, lambda: frozenset(
        pid for pid, (paper, ann) in corpus.papers.items() if window.admits(paper, ann)
    ))  # fmt: skip


def _backfill_table(corpus: Corpus, since: date) -> dict[int, datetime | None]:
    """Papers announced on or after `since`: None for any source, first seen for arXiv's."""
    return corpus.memo(("backfill", since), lambda: {
        pid: as_utc(paper.created_at) if paper.source == "arxiv" else None
        for pid, (paper, ann) in corpus.papers.items() if ann.announced_on >= since
    })  # fmt: skip


def backfilled(
    corpus: Corpus, window: NewsWindow, added: datetime, ids: frozenset[int]
) -> frozenset[int]:
    """Of a topic's matches `ids`, those it takes as backfill (`NewsWindow.backfills`)."""
    table = _backfill_table(corpus, window.backfill_from)
    inside = ids & table.keys()  # in C; only matches inside the backfill are checked
    return frozenset(pid for pid in inside if (seen := table[pid]) is None or seen >= added)


def fresh_topics(
    topics: Sequence[tuple[datetime, Sequence[CompiledQuery]]],
    window: NewsWindow,
    corpus: Corpus,
) -> list[tuple[datetime, frozenset[int]]]:
    """The topics added since the previous digest (all, for a new channel), each with the
    papers it backfills."""
    fresh = []
    for added, compiled in topics:
        added = as_utc(added)
        if window.topics_after is None or added > window.topics_after:
            ids = frozenset().union(*(c.matches(corpus.index) for c in compiled))
            fresh.append((added, backfilled(corpus, window, added, ids)))
    return fresh


def news_ids(corpus: Corpus, window: NewsWindow, fresh: Fresh) -> frozenset[int]:
    """The papers that are news for this window, or a new topic's backfill."""
    news = admitted(corpus, window)
    return news.union(*(ids for _, ids in fresh)) if fresh else news


def news_count(corpus: Corpus, window: NewsWindow, fresh: Fresh) -> int:
    """At least how many papers are news for this window (0 exactly when none is)."""
    dates = corpus.announced_dates
    counts = [len(dates) - bisect_left(dates, window.first)]
    if window.seen_after is not None:
        counts.append(_seen_since(corpus, window.seen_after, window.backfill_from))
    counts += [len(ids) for _, ids in fresh]
    return max(counts)


def _seen_since(corpus: Corpus, after: datetime, backfill_from: date) -> int:
    """How many papers were first seen after `after` and announced on or after `backfill_from`."""

    def count() -> int:
        seen = corpus.seen_times
        since = bisect_right(seen, after, key=lambda item: item[0])
        return sum(day >= backfill_from for _, day in seen[since:])

    return corpus.memo(("seen", after, backfill_from), count)
