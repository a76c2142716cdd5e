"""The `since:` option of a search: `since:30d`, `since:2w`, `since:6m`, `since:1y` or a date.

It is not part of the topic query language (a topic has no "now" to count back from); a
search takes it out of its text before the rest is parsed as a topic query. A month counts
as 30 days and a year as 365. The cutoff is compared with a paper's latest announcement date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

SINCE_RE = re.compile(r"(?<!\S)since:(\S*)", re.IGNORECASE)
SPAN_RE = re.compile(r"^(\d{1,4})([dwmy])$", re.IGNORECASE)
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_since(value: str, today: date) -> date:
    """The first day a `since:` value admits; ValueError when it is not a span or a date."""
    span = SPAN_RE.match(value)
    if span:
        return today - timedelta(days=int(span[1]) * UNIT_DAYS[span[2].lower()])
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"`since:{value}` is not a span like 30d, 2w, 6m, 1y or a date like 2025-01-31"
        ) from None


def split_since(text: str, today: date) -> tuple[str, date | None]:
    """The query text without its `since:` option, and the cutoff date it names (if any)."""
    found = SINCE_RE.findall(text)
    if len(found) > 1:
        raise ValueError("give `since:` at most once")
    rest = " ".join(SINCE_RE.sub(" ", text).split())
    return rest, (parse_since(found[0], today) if found else None)
