"""arXiv API (export.arxiv.org/api/query) Atom responses and `id_list` lookups."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from bot.query.names import person_name
from bot.sources.arxiv_ids import normalize_doi, parse_arxiv_id
from bot.sources.feeds import finish, first_date, parse_feed
from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper, FetchOutcome

SOURCE = "arxiv"
POLITE_KEY = "arxiv-api"
AUTHOR_RESULTS = 100  # per `au:` query: a batch of authors' newest papers


def parse_arxiv_api(content: bytes) -> tuple[list[FetchedPaper], list[str], int | None]:
    """(papers, errors, totalResults) from an API response, current or legacy format."""
    parsed, fatal = parse_feed(content)
    errors = [fatal] if fatal else []
    papers: list[FetchedPaper] = []
    for index, entry in enumerate(parsed.get("entries", [])):
        if _is_error_entry(entry):
            errors.append(f"arXiv API error: {entry.get('summary', '').strip() or 'unknown'}")
            continue
        paper = _paper(entry)
        if isinstance(paper, str):
            errors.append(f"entry {index}: {paper}")
        else:
            papers.append(paper)
    return papers, errors, _total(parsed.get("feed", {}))


def _is_error_entry(entry: Any) -> bool:
    """The API reports bad queries as a single entry titled `Error` with an errors# id."""
    ident = entry.get("id", "")
    if "/api/errors" in ident:
        return True
    return entry.get("title", "").strip() == "Error" and parse_arxiv_id(ident) is None


def _total(feed: Any) -> int | None:
    try:
        return int(str(feed.get("opensearch_totalresults", "")).strip())
    except ValueError:
        return None


def _paper(entry: Any) -> FetchedPaper | str:
    """One API entry as a paper, or the reason it cannot be one."""
    ident = parse_arxiv_id(entry.get("id", ""))
    title = " ".join((entry.get("title") or "").split())
    if ident is None:
        return f"no arXiv id (id {entry.get('id')!r})"
    if not title:
        return f"no title for arXiv:{ident[0]}"
    arxiv_id, version = ident
    announced = first_date(entry, ("published", "updated"))
    if announced is None:
        return f"no published date for arXiv:{arxiv_id}"
    categories = tuple(t["term"] for t in entry.get("tags", []) if t.get("term"))
    primary = (entry.get("arxiv_primary_category") or {}).get("term") or (
        categories[0] if categories else ""
    )
    doi = entry.get("arxiv_doi")
    return FetchedPaper(
        source=SOURCE,
        key=f"arxiv:{arxiv_id}",
        title=title,
        abstract=html.unescape((entry.get("summary") or "").strip()),
        authors=tuple(
            " ".join(a["name"].split()) for a in entry.get("authors", []) if a.get("name")
        ),
        announced_on=announced,
        announce_type="new",
        categories=categories,
        primary_category=primary,
        arxiv_id=arxiv_id,
        version=version,
        doi=normalize_doi(doi) if isinstance(doi, str) else None,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",  # versionless, like the RSS feed
        pdf_url=_pdf_link(entry),
        comment=" ".join(str(entry.get("arxiv_comment") or "").split()),
        journal_ref=" ".join(str(entry.get("arxiv_journal_ref") or "").split()),
    )


def _pdf_link(entry: Any) -> str | None:
    """The link titled `pdf`."""
    for link in entry.get("links", []):
        if link.get("title") == "pdf":
            return link.get("href")
    return None


def _query_ids(ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(ids to ask for, errors for ids that are not arXiv ids); keeps versions, drops repeats."""
    wanted: dict[str, None] = {}
    errors: list[str] = []
    for raw in ids:
        parsed = parse_arxiv_id(raw)
        if parsed is None:
            errors.append(f"not an arXiv id: {raw!r}")
            continue
        arxiv_id, version = parsed
        wanted.setdefault(f"{arxiv_id}v{version}" if version else arxiv_id, None)
    return list(wanted), errors


async def _fetch_batch(
    http: HttpFetcher, api_url: str, batch: list[str], batch_size: int
) -> tuple[list[FetchedPaper], list[str]]:
    """One `id_list` request; an HTTP 400 error feed becomes its error message."""
    params = {"id_list": ",".join(batch), "start": 0, "max_results": batch_size}
    try:
        resp = await http.get(api_url, params=params, polite_key=POLITE_KEY)
    except SourceError as exc:
        _, body_errors, _ = parse_arxiv_api(exc.body) if exc.body else ([], [], None)
        api_errors = [e for e in body_errors if e.startswith("arXiv API error")]
        return [], [exc.reason, *api_errors]
    papers, errors, _ = parse_arxiv_api(resp.content)
    return papers, errors


async def fetch_arxiv_ids(
    http: HttpFetcher, api_url: str, ids: Iterable[str], *, batch_size: int
) -> FetchOutcome:
    """Look up arXiv ids with `id_list` queries in batches (polite key "arxiv-api")."""
    wanted, errors = _query_ids(ids)
    papers: list[FetchedPaper] = []
    size = max(1, batch_size)
    for start in range(0, len(wanted), size):
        batch_papers, batch_errors = await _fetch_batch(
            http, api_url, wanted[start : start + size], size
        )
        papers.extend(batch_papers)
        errors.extend(batch_errors)
    found = {p.arxiv_id for p in papers}
    missing = [i for i in wanted if (parse_arxiv_id(i) or ("",))[0] not in found]
    outcome = finish(SOURCE, api_url, papers, errors, None)
    return replace(outcome, extra={"missing": ",".join(missing)}) if missing else outcome


def author_term(name: str) -> str | None:
    """The arXiv API's `au:` term for a name: surname words and first initial, `au:pan_s`."""
    person = person_name(name)
    if person is None:
        return None
    words = list(person.surname) + ([person.given[0][0]] if person.given else [])
    return "au:" + "_".join(words)


def author_search_url(api_url: str, names: Iterable[str]) -> str:
    """The search URL for these authors (newest submissions first), as fetch runs record it."""
    terms = sorted({t for name in names if (t := author_term(name))})
    query = urlencode({"search_query": " OR ".join(terms), "sortBy": "submittedDate",
                       "sortOrder": "descending", "start": 0,
                       "max_results": AUTHOR_RESULTS})  # fmt: skip
    return f"{api_url}?{query}"


async def fetch_arxiv_authors(
    http: HttpFetcher, api_url: str, names: Iterable[str]
) -> FetchOutcome:
    """The newest arXiv papers of these authors, one `au:` query (polite key "arxiv-api")."""
    url = author_search_url(api_url, names)
    try:
        resp = await http.get(url, polite_key=POLITE_KEY)
    except SourceError as exc:
        return FetchOutcome(source=SOURCE, url=url, status="failed", errors=(exc.reason,))
    papers, errors, _ = parse_arxiv_api(resp.content)
    return finish(SOURCE, url, papers, errors, None)
