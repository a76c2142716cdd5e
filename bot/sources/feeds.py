"""Helpers shared by the feed parsers: parsing, dates, author lists, outcome status."""

from __future__ import annotations

import re
import time
import xml.sax
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper, FetchOutcome

FeedParser = Callable[[bytes, str], FetchOutcome]

_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.\s*-?\s*)+$")
_AND = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*)", re.IGNORECASE)


def parse_feed(content: bytes) -> tuple[Any, str | None]:
    """Parse a feed with feedparser; the second value is why it is broken, or None."""
    try:
        parsed = feedparser.parse(content)
    except Exception as exc:  # feedparser is defensive, but never let a feed crash a fetch
        return feedparser.FeedParserDict(entries=[], feed={}), f"unparseable feed: {exc!r}"
    if not parsed.get("version"):
        return parsed, "not an RSS/Atom feed"
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(exc, xml.sax.SAXException):
        return parsed, f"feed is not well-formed XML: {exc}"
    return parsed, None


def parse_date(value: Any) -> date | None:
    """The calendar date of a feed timestamp as written (its own UTC offset), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def first_date(entry: Any, keys: Sequence[str]) -> date | None:
    """The first parseable date among `keys` of a feedparser dict (raw, then *_parsed)."""
    for key in keys:
        found = parse_date(entry.get(key))
        if found:
            return found
    for key in keys:
        parsed = entry.get(f"{key}_parsed")
        if isinstance(parsed, time.struct_time):
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def split_authors(raw: str) -> tuple[str, ...]:
    """Split an author string: "A, B and C", "A; B" or "Surname, I., Other, J." styles."""
    text = " ".join((raw or "").split())
    if not text:
        return ()
    if ";" in text:
        return tuple(p.strip() for p in text.split(";") if p.strip())
    parts = [p.strip() for p in _AND.sub(", ", text).split(",") if p.strip()]
    if len(parts) >= 2 and all(_INITIALS.match(p) for p in parts[1::2]):
        return tuple(f"{s}, {i}" for s, i in zip(parts[::2], parts[1::2], strict=False)) + (
            (parts[-1],) if len(parts) % 2 else ()
        )
    return tuple(parts)


def entry_authors(entry: Any) -> tuple[str, ...]:
    """Authors of a feed entry from its `authors` list or `author` string."""
    names = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)]
    names = [n for n in names if n and n.strip()]
    if len(names) > 1:
        return tuple(" ".join(n.split()) for n in names)
    single = names[0] if names else entry.get("author", "")
    return split_authors(single) if isinstance(single, str) else ()


def finish(
    source: str,
    url: str,
    papers: list[FetchedPaper],
    errors: list[str],
    fatal: str | None,
    feed_date: date | None = None,
) -> FetchOutcome:
    """Build the outcome: "ok" when clean, else "partial" (papers kept) or "failed"."""
    if fatal:
        errors = [fatal, *errors]
    status = ("partial" if papers else "failed") if errors else "ok"
    return FetchOutcome(
        source=source,
        url=url,
        status=status,
        papers=tuple(papers),
        errors=tuple(errors),
        feed_date=feed_date,
    )


async def fetch_feed(
    http: HttpFetcher,
    url: str,
    parse: FeedParser,
    source: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchOutcome:
    """Conditional GET + parse; validators are kept only when the parse was clean."""
    try:
        resp = await http.get(url, etag=etag, last_modified=last_modified)
    except SourceError as exc:
        return FetchOutcome(source=source, url=url, status="failed", errors=(exc.reason,))
    if resp.not_modified:
        return FetchOutcome(
            source=source,
            url=url,
            status="not_modified",
            etag=resp.etag or etag,
            last_modified=resp.last_modified or last_modified,
        )
    outcome = parse(resp.content, url)
    if outcome.status != "ok" or outcome.errors:
        return outcome
    return replace(outcome, etag=resp.etag, last_modified=resp.last_modified)
