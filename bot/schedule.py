"""When things happen: a channel's digest times in its own timezone, DST-correct."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(spec: str) -> frozenset[int]:
    """Weekdays (0 = Monday) from names: "mon-fri", "sun-thu", "mon,wed,fri", "daily"."""
    spec = spec.strip().lower()
    if spec in ("daily", "*", "all"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"unknown day in {spec!r}: use names like mon-fri or sun,tue")
        start = DAY_NAMES.index(first)
        end = DAY_NAMES.index(last) if last else start
        span = (end - start) % 7
        days.update((start + i) % 7 for i in range(span + 1))
    if not days:
        raise ValueError("no days given")
    return frozenset(days)


def scheduled_at(day: date, hhmm: str, timezone: str) -> datetime:
    """The aware local datetime of `hhmm` on `day` in `timezone` (DST gaps move forward)."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = datetime.combine(day, time(hour, minute), ZoneInfo(timezone))
    # Round-trip through UTC so a time inside a DST gap lands on the real wall clock.
    return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(timezone))


def due_digest_date(
    now: datetime, hhmm: str, timezone: str, days: str, catchup: timedelta | None
) -> date | None:
    """The local date whose digest is due at `now`, or None.

    A digest is due from its scheduled time until `catchup` later; `catchup=None` means until
    the end of that local day. Yesterday's digest is still due after midnight only when the
    catch-up window reaches past it.
    """
    local = now.astimezone(ZoneInfo(timezone))
    weekdays = parse_days(days)
    for day in (local.date(), local.date() - timedelta(days=1)):
        if day.weekday() not in weekdays:
            continue
        start = scheduled_at(day, hhmm, timezone)
        end = start + catchup if catchup is not None else _end_of_day(day, timezone)
        if start <= local < end:
            return day
    return None


def next_digest_at(now: datetime, hhmm: str, timezone: str, days: str) -> datetime:
    """The next scheduled digest time after `now`, as an aware local datetime."""
    local = now.astimezone(ZoneInfo(timezone))
    weekdays = parse_days(days)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        at = scheduled_at(day, hhmm, timezone)
        if day.weekday() in weekdays and at > local:
            return at
    raise AssertionError("a week always has a digest day")


def _end_of_day(day: date, timezone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(timezone))
