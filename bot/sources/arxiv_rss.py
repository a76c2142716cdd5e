"""arXiv's daily announcement feeds (rss.arxiv.org, RSS 2.0 and Atom variants)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.sources.arxiv_ids import parse_arxiv_id
from bot.sources.feeds import fetch_feed, finish, first_date, parse_feed, split_authors
from bot.sources.http import HttpFetcher
from bot.sources.types import ANNOUNCE_TYPES, FetchedPaper, FetchOutcome

SOURCE = "arxiv"
_PREFIX = re.compile(
    r"^\s*arXiv:\S+\s+Announce\s+Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)


def feed_url(base_url: str, categories: Iterable[str]) -> str:
    """The feed URL for several categories: `<base>/cs.CL+cs.LG`."""
    cats = [c.strip() for c in categories if c and c.strip()]
    return base_url.rstrip("/") + "/" + "+".join(cats)


def split_description(description: str) -> tuple[str | None, str]:
    """(announce type, abstract) from `arXiv:… Announce Type: new \\nAbstract: …`."""
    match = _PREFIX.match(description)
    if match is None:
        return None, description.strip()
    return match.group("type").lower(), description[match.end() :].strip()


def parse_arxiv_feed(content: bytes, url: str) -> FetchOutcome:
    """Parse an rss.arxiv.org RSS/Atom document into papers (never raises)."""
    parsed, fatal = parse_feed(content)
    feed_date = first_date(parsed.get("feed", {}), ("published", "updated"))
    papers: list[FetchedPaper] = []
    errors: list[str] = []
    for index, entry in enumerate(parsed.get("entries", [])):
        paper = _paper(entry, feed_date)
        if isinstance(paper, str):
            errors.append(f"entry {index}: {paper}")
        else:
            papers.append(paper)
    return finish(SOURCE, url, papers, errors, fatal, feed_date)


def _paper(entry: Any, feed_date: date | None) -> FetchedPaper | str:
    """One feed item as a paper, or the reason it cannot be one."""
    ident = parse_arxiv_id(entry.get("id", ""))  # the guid; items cut off before it are dropped
    title = " ".join((entry.get("title") or "").split())
    if ident is None:
        return f"no arXiv id (guid {entry.get('id')!r})"
    if not title:
        return f"no title for arXiv:{ident[0]}"
    arxiv_id, version = ident
    desc_type, abstract = split_description(html.unescape(entry.get("summary") or ""))
    announced = first_date(entry, ("published", "updated")) or feed_date
    if announced is None:
        return f"no announcement date for arXiv:{arxiv_id}"
    authors = _authors(entry)
    if not authors:  # dc:creator closes every item: without it the item was cut off
        return f"no authors for arXiv:{arxiv_id} (incomplete item?)"
    categories = tuple(t["term"] for t in entry.get("tags", []) if t.get("term"))
    return FetchedPaper(
        source=SOURCE,
        key=f"arxiv:{arxiv_id}",
        title=title,
        abstract=abstract,
        authors=authors,
        announced_on=announced,
        announce_type=_announce_type(entry.get("arxiv_announce_type"), desc_type),
        categories=categories,
        primary_category=categories[0] if categories else "",
        arxiv_id=arxiv_id,
        version=version,
        abs_url=entry.get("link") or f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}" + (f"v{version}" if version else ""),
    )


def _authors(entry: Any) -> tuple[str, ...]:
    """dc:creator is one comma-separated string; Atom may list several <author>s."""
    names = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)]
    names = [n for n in names if n.strip()]
    if len(names) > 1:
        return tuple(" ".join(n.split()) for n in names)
    return split_authors(names[0] if names else entry.get("author", "") or "")


def _announce_type(tag: Any, from_description: str | None) -> str:
    """The `<arxiv:announce_type>` value, else the one in the description, else "new"."""
    for candidate in (tag, from_description):
        if isinstance(candidate, str) and candidate.strip().lower() in ANNOUNCE_TYPES:
            return candidate.strip().lower()
    return "new"


async def fetch_arxiv_rss(
    http: HttpFetcher,
    base_url: str,
    categories: Iterable[str],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchOutcome:
    """Fetch and parse today's feed for `categories` (304 → "not_modified"; never raises)."""
    url = feed_url(base_url, categories)
    return await fetch_feed(
        http, url, parse_arxiv_feed, SOURCE, etag=etag, last_modified=last_modified
    )
