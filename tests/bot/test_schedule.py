"""Digest times: per channel timezone, DST-correct, day names, catch-up windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import due_digest_date, next_digest_at, parse_days, scheduled_at

BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("spec", "days"),
    [("mon-fri", {0, 1, 2, 3, 4}), ("sun-thu", {6, 0, 1, 2, 3}), ("sat,sun", {5, 6}),
     ("fri-mon", {4, 5, 6, 0}), ("daily", set(range(7))), ("Wed", {2})],
)  # fmt: skip
def test_day_names(spec: str, days: set[int]) -> None:
    assert parse_days(spec) == days


@pytest.mark.parametrize("spec", ["1-5", "monday", "", "mon-xyz"])
def test_bad_day_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_days(spec)


def test_the_same_local_time_across_a_dst_change() -> None:
    before = scheduled_at(date(2025, 3, 28), "08:00", BERLIN)  # CET, UTC+1
    after = scheduled_at(date(2025, 3, 31), "08:00", BERLIN)  # CEST, UTC+2
    assert before.astimezone(UTC).hour == 7 and after.astimezone(UTC).hour == 6
    gap = scheduled_at(date(2025, 3, 30), "02:30", BERLIN)  # 02:30 does not exist that day
    assert (gap.hour, gap.minute) == (3, 30)


def test_due_from_the_scheduled_time_until_the_end_of_the_local_day() -> None:
    at = datetime(2025, 4, 28, 6, 0, tzinfo=UTC)  # 08:00 in Berlin, a Monday
    assert due_digest_date(at - timedelta(minutes=1), "08:00", BERLIN, "mon-fri", None) is None
    assert due_digest_date(at, "08:00", BERLIN, "mon-fri", None) == date(2025, 4, 28)
    late = datetime(2025, 4, 28, 21, 59, tzinfo=UTC)  # 23:59 local
    assert due_digest_date(late, "08:00", BERLIN, "mon-fri", None) == date(2025, 4, 28)
    assert due_digest_date(late, "08:00", BERLIN, "mon-fri", timedelta(hours=2)) is None
    saturday = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)
    assert due_digest_date(saturday, "08:00", BERLIN, "mon-fri", None) is None


def test_catch_up_can_reach_past_midnight() -> None:
    after_midnight = datetime(2025, 4, 28, 23, 30, tzinfo=UTC)  # 01:30 Tuesday in Berlin
    window = timedelta(hours=20)
    assert due_digest_date(after_midnight, "08:00", BERLIN, "mon-fri", window) == date(2025, 4, 28)


def test_next_digest_skips_the_weekend() -> None:
    friday_evening = datetime(2025, 4, 25, 18, 0, tzinfo=UTC)
    nxt = next_digest_at(friday_evening, "08:00", BERLIN, "mon-fri")
    assert nxt.date() == date(2025, 4, 28) and nxt.hour == 8


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_next_digest_is_always_after_now_and_on_a_digest_day(naive: datetime) -> None:
    now = naive.replace(tzinfo=UTC)
    nxt = next_digest_at(now, "07:45", "America/New_York", "mon-fri")
    assert nxt > now and nxt.weekday() < 5 and (nxt.hour, nxt.minute) == (7, 45)
