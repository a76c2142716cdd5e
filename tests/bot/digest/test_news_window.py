"""What is news for a channel's digest: announced or first seen since its previous digest, or
a new topic's backfill; arXiv keeps its announcement semantics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digest.news import SEEN_OVERLAP, corpus_span, news_window
from bot.models import Announcement, Paper
from bot.store.deliveries import PreviousDigest

TUESDAY = date(2025, 6, 3)
CHOSEN = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # Monday's digest chose its papers then
PREVIOUS = PreviousDigest(TUESDAY - timedelta(days=1), CHOSEN, CHOSEN)


def paper(source: str, seen: datetime, announced: date) -> tuple[Paper, Announcement]:
    row = Paper(key=f"{source}:{seen}:{announced}", source=source, title="t", title_raw="t",
                abstract="", abstract_raw="", first_announced_on=announced,
                last_announced_on=announced, created_at=seen)  # fmt: skip
    return row, Announcement(paper_id=1, announced_on=announced)


def test_announced_or_first_seen_since_the_previous_digest_is_news() -> None:
    window = news_window(TUESDAY, PREVIOUS, 7)
    later = CHOSEN + timedelta(hours=20)
    assert window.admits(*paper("arxiv", CHOSEN - timedelta(days=2), TUESDAY))  # today's mailing
    assert window.admits(*paper("journal", later, TUESDAY - timedelta(days=1)))  # late arrival
    assert window.admits(*paper("biorxiv", later, TUESDAY - timedelta(days=7)))
    assert not window.admits(*paper("biorxiv", later, TUESDAY - timedelta(days=8)))  # too old
    seen_before = CHOSEN - SEEN_OVERLAP - timedelta(seconds=1)
    assert not window.admits(*paper("journal", seen_before, TUESDAY - timedelta(days=1)))


def test_a_new_topic_backfills_other_sources_but_not_earlier_arxiv_mailings() -> None:
    window = news_window(TUESDAY, None, 7)
    added = datetime(2025, 6, 3, 7, 0, tzinfo=UTC)
    earlier = added - timedelta(days=1)
    assert not window.admits(*paper("journal", earlier, TUESDAY - timedelta(days=3)))
    assert window.backfills(*paper("journal", earlier, TUESDAY - timedelta(days=3)), added)
    assert not window.backfills(*paper("arxiv", earlier, TUESDAY - timedelta(days=1)), added)
    after = added + timedelta(minutes=5)  # an author's au: search, fetched after subscribing
    assert window.backfills(*paper("arxiv", after, TUESDAY - timedelta(days=1)), added)
    assert not window.backfills(*paper("journal", earlier, TUESDAY - timedelta(days=8)), added)


def test_a_digest_from_before_selection_times_were_kept_uses_dates_only() -> None:
    legacy = PreviousDigest(TUESDAY - timedelta(days=1), None, CHOSEN)
    window = news_window(TUESDAY, legacy, 7)
    assert window.seen_after is None and window.topics_after == CHOSEN
    assert corpus_span(TUESDAY, 7) == (TUESDAY - timedelta(days=7), TUESDAY)
    assert corpus_span(TUESDAY, 2) == (TUESDAY - timedelta(days=6), TUESDAY)
