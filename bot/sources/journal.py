"""Any journal's RSS 0.9x/1.0/2.0 or Atom feed (Nature, PLOS, OUP, BMC, Science, bioRxiv RSS)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from bot.sources.arxiv_ids import normalize_doi
from bot.sources.feeds import entry_authors, fetch_feed, finish, first_date, parse_feed
from bot.sources.http import HttpFetcher
from bot.sources.types import FetchedPaper, FetchOutcome

SOURCE = "journal"
_DC_IDENTIFIER = "{http://purl.org/dc/elements/1.1/}identifier"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_DATE_KEYS = ("published", "updated", "created", "prism_publicationdate", "dc_date")


def parse_journal_feed(content: bytes, url: str, *, today: date | None = None) -> FetchOutcome:
    """Parse a journal feed; items without a date are dated `today` (default: local today)."""
    parsed, fatal = parse_feed(content)
    feed = parsed.get("feed", {})
    journal = " ".join((feed.get("title") or "").split())
    fallback = today or date.today()
    feed_date = first_date(feed, ("published", "updated"))
    identifiers = {} if fatal else identifier_dois(content)
    papers: list[FetchedPaper] = []
    errors: list[str] = []
    for index, entry in enumerate(parsed.get("entries", [])):
        extra_doi = identifiers.get(entry.get("id", "")) or identifiers.get(entry.get("link", ""))
        paper = _paper(entry, url, journal, feed_date or fallback, extra_doi)
        if isinstance(paper, str):
            errors.append(f"entry {index}: {paper}")
        else:
            papers.append(paper)
    return finish(SOURCE, url, papers, errors, fatal, feed_date)


def _paper(
    entry: Any, url: str, journal: str, fallback: date, extra_doi: str | None
) -> FetchedPaper | str:
    """One feed item as a paper, or the reason it cannot be one."""
    title = (entry.get("title") or "").strip()
    link = (entry.get("link") or "").strip()
    if not link and str(entry.get("id", "")).startswith("http"):
        link = entry["id"].strip()
    doi = entry_doi(entry) or extra_doi
    if not title:
        return f"no title (link {link!r})"
    if not (doi or link):
        return f"no DOI and no link for {title[:60]!r}"
    return FetchedPaper(
        source=SOURCE,
        key=f"doi:{doi}" if doi else f"url:{link}",
        title=title,
        abstract=_abstract(entry),
        authors=entry_authors(entry),
        announced_on=first_date(entry, _DATE_KEYS) or fallback,
        categories=(journal,) if journal else (),
        primary_category=journal,
        doi=doi,
        abs_url=link or f"https://doi.org/{doi}",
        feed=url,
    )


def entry_doi(entry: Any) -> str | None:
    """A DOI from prism:doi, dc:identifier, doi.org links, the id or the link (in that order)."""
    candidates: list[Any] = [entry.get("prism_doi"), entry.get("dc_identifier")]
    candidates += [
        lk.get("href") for lk in entry.get("links", []) if "doi.org/" in str(lk.get("href", ""))
    ]
    candidates += [entry.get("id"), entry.get("link")]
    for candidate in candidates:
        if isinstance(candidate, str):
            doi = normalize_doi(candidate)
            if doi:
                return doi
    return None


def identifier_dois(content: bytes) -> dict[str, str]:
    """Item link/about → DOI from every `dc:identifier` (feedparser keeps only the last one)."""
    try:
        root = ET.fromstring(content)
    except (ET.ParseError, ValueError):
        return {}
    found: dict[str, str] = {}
    for item in root.iter():
        if not item.tag.endswith("item"):
            continue
        doi = next(
            (
                d
                for d in (
                    normalize_doi(i.text or "")
                    for i in item.iter(_DC_IDENTIFIER)
                    if "doi" in (i.text or "").lower()
                )
                if d
            ),
            None,
        )
        if doi is None:
            continue
        links = [item.get(_RDF_ABOUT)] + [c.text for c in item if c.tag.endswith("link")]
        found.update({link.strip(): doi for link in links if link and link.strip()})
    return found


def _abstract(entry: Any) -> str:
    """The longest of content/summary, as the feed gave it (may hold HTML)."""
    texts = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    texts.append(entry.get("summary") or "")
    return max((t.strip() for t in texts if isinstance(t, str)), key=len, default="")


async def fetch_journal_feed(
    http: HttpFetcher,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    today: date | None = None,
) -> FetchOutcome:
    """Fetch and parse one journal feed (304 → "not_modified"; never raises)."""

    def parse(content: bytes, feed_url: str) -> FetchOutcome:
        """parse_journal_feed with this call's `today`."""
        return parse_journal_feed(content, feed_url, today=today)

    return await fetch_feed(http, url, parse, SOURCE, etag=etag, last_modified=last_modified)
