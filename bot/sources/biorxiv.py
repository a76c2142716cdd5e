"""bioRxiv / medRxiv preprints from the `api.biorxiv.org/details` endpoint.

Paging: GET `{api}/details/{server}/{start}/{end}/{cursor}`, then advance the cursor by the
`count` the page reports until the reported `total` is reached, a page comes back empty, or
`max_pages` pages were read. With exactly one subject the query carries
`?category=<subject_with_underscores>` (documented by api.biorxiv.org); subjects are also
filtered locally, case-insensitively, so several subjects work too.

Decisions: a page whose `collection` is shorter than its `count` is kept and a warning is put
in `errors` without downgrading the status (the API does this at the end of a range). Stopping
at `max_pages` before `total` is "partial": the papers are right but some were not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.sources.arxiv_ids import normalize_doi
from bot.sources.feeds import parse_date
from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper, FetchOutcome

HOSTS = {"biorxiv": "https://www.biorxiv.org", "medrxiv": "https://www.medrxiv.org"}


def normalize_subject(subject: str) -> str:
    """`Cell_Biology`, `cell-biology`, ` cell  biology ` → `cell biology`."""
    return " ".join(re.sub(r"[_\-]+", " ", subject).lower().split())


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_biorxiv_page(
    data: Mapping[str, Any], server: str = "biorxiv"
) -> tuple[list[FetchedPaper], int, int | None, list[str]]:
    """(papers, count, total, errors) of one `details` JSON page; count/total may be strings."""
    messages = data.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    message: Mapping[str, Any] = first if isinstance(first, Mapping) else {}
    errors: list[str] = []
    status = str(message.get("status", "ok")).strip().lower()
    if status not in ("ok", "no posts found"):
        errors.append(f"bioRxiv API says: {message.get('status')}")
    records = data.get("collection") or []
    if not isinstance(records, list):
        return [], 0, None, [*errors, "collection is not a list"]
    papers: list[FetchedPaper] = []
    for index, record in enumerate(records):
        paper = _paper(record, server)
        if isinstance(paper, str):
            errors.append(f"record {index}: {paper}")
        else:
            papers.append(paper)
    count = _as_int(message.get("count"))
    return papers, len(records) if count is None else count, _as_int(message.get("total")), errors


def _paper(record: Any, default_server: str) -> FetchedPaper | str:
    """One `collection` record as a paper, or the reason it cannot be one."""
    if not isinstance(record, Mapping):
        return "not an object"
    doi = normalize_doi(str(record.get("doi") or ""))
    title = str(record.get("title") or "").strip()
    announced = parse_date(record.get("date"))
    if not doi or not title or announced is None:
        return f"missing doi/title/date (doi {record.get('doi')!r})"
    server = str(record.get("server") or default_server).strip().lower()
    server = server if server in HOSTS else default_server
    version = _as_int(record.get("version")) or 1
    abs_url = f"{HOSTS.get(server, HOSTS['biorxiv'])}/content/{doi}v{version}"
    category = str(record.get("category") or "").strip()
    return FetchedPaper(
        source=server,
        key=f"doi:{doi}",
        title=title,
        abstract=str(record.get("abstract") or "").strip(),
        authors=tuple(a.strip() for a in str(record.get("authors") or "").split(";") if a.strip()),
        announced_on=announced,
        categories=(category,) if category else (),
        primary_category=category,
        doi=doi,
        version=version,
        abs_url=abs_url,
        pdf_url=f"{abs_url}.full.pdf",
    )


async def _get_page(
    http: HttpFetcher, url: str, params: dict[str, str] | None, server: str
) -> tuple[list[FetchedPaper], int, int | None, list[str]]:
    """Fetch and parse one page; transport or JSON problems raise SourceError."""
    resp = await http.get(url, params=params)
    try:
        data = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"invalid JSON from {resp.url}: {exc}", url=url) from exc
    if not isinstance(data, Mapping):
        raise SourceError(f"unexpected JSON from {resp.url}", url=url)
    return parse_biorxiv_page(data, server)


def _wanted(paper: FetchedPaper, subjects: set[str]) -> bool:
    return not subjects or normalize_subject(paper.primary_category) in subjects


def _keep_latest(papers: list[FetchedPaper]) -> list[FetchedPaper]:
    """One paper per DOI: the highest version seen, in first-seen order."""
    latest: dict[str, FetchedPaper] = {}
    for paper in papers:
        seen = latest.get(paper.key)
        if seen is None or (paper.version or 0) > (seen.version or 0):
            latest[paper.key] = paper
    return list(latest.values())


@dataclass
class _Paging:
    """What a cursor walk has gathered so far."""

    wanted: set[str]
    cursor: int = 0
    pages: int = 0
    total: int | None = None
    papers: list[FetchedPaper] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    incomplete: bool = False
    parsed_any: bool = False

    def absorb(self, page: list[FetchedPaper], count: int, page_errors: list[str]) -> bool:
        """Take one page; True when there is a next page to fetch."""
        self.pages += 1
        self.errors.extend(page_errors)
        self.incomplete = self.incomplete or bool(page_errors)
        self.parsed_any = self.parsed_any or bool(page)
        self.papers.extend(p for p in page if _wanted(p, self.wanted))
        received = len(page) + sum(1 for e in page_errors if e.startswith("record "))
        if received == 0:
            return False
        if received < count:
            self.errors.append(
                f"page at cursor {self.cursor}: {received} records but count says {count}"
            )
        self.cursor += count if count > 0 else received
        return self.total is not None and self.cursor < self.total

    def outcome(self, source: str, url: str) -> FetchOutcome:
        """The fetch outcome: "ok" unless a page failed or paging stopped early."""
        status = ("partial" if self.parsed_any else "failed") if self.incomplete else "ok"
        total = "" if self.total is None else str(self.total)
        return FetchOutcome(
            source=source,
            url=url,
            status=status,
            papers=tuple(_keep_latest(self.papers)),
            errors=tuple(self.errors),
            extra={"pages": str(self.pages), "total": total},
        )


async def fetch_biorxiv(
    http: HttpFetcher,
    api_url: str,
    server: str,
    start: date,
    end: date,
    subjects: Collection[str],
    *,
    max_pages: int,
) -> FetchOutcome:
    """All preprints posted on `server` between `start` and `end` in `subjects` (never raises)."""
    walk = _Paging(wanted={normalize_subject(s) for s in subjects if s.strip()})
    base = f"{api_url.rstrip('/')}/details/{server}/{start.isoformat()}/{end.isoformat()}"
    params = None
    if len(walk.wanted) == 1:
        params = {"category": next(iter(walk.wanted)).replace(" ", "_")}
    while walk.pages < max_pages:
        try:
            page, count, walk.total, page_errors = await _get_page(
                http, f"{base}/{walk.cursor}", params, server
            )
        except SourceError as exc:
            walk.errors.append(exc.reason)
            walk.incomplete = True
            break
        if not walk.absorb(page, count, page_errors):
            break
    else:
        walk.errors.append(
            f"stopped after {max_pages} pages at cursor {walk.cursor} of {walk.total}"
        )
        walk.incomplete = True
    return walk.outcome(server, base)
