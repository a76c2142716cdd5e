"""DOIs through Crossref's REST API (`{CROSSREF_API_URL}/works/{doi}`) as fetched papers."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import quote

from bot.sources.arxiv_ids import normalize_doi
from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper

POLITE_KEY = "crossref"
TAGS = re.compile(r"<[^>]+>")
DATE_FIELDS = ("published", "published-print", "published-online", "issued", "created")


def parse_crossref_work(data: Any) -> FetchedPaper | str:
    """A `works/{doi}` reply as a paper, or the reason it cannot be one."""
    if not isinstance(data, dict) or data.get("status") != "ok":
        return "not a Crossref work reply"
    work = data.get("message")
    if not isinstance(work, dict):
        return "no message in the Crossref reply"
    doi = normalize_doi(str(work.get("DOI", "")))
    title = " ".join(" ".join(work.get("title") or []).split())
    if not doi or not title:
        return f"no DOI or title (DOI {work.get('DOI')!r})"
    journal = " ".join(work.get("container-title") or [])
    subjects = tuple(str(s) for s in work.get("subject") or [])
    return FetchedPaper(
        source="journal",
        key=f"doi:{doi}",
        title=title,
        abstract=" ".join(TAGS.sub(" ", str(work.get("abstract") or "")).split()),
        authors=tuple(_author(a) for a in work.get("author") or [] if _author(a)),
        announced_on=work_date(work) or date(1970, 1, 1),
        categories=subjects,
        primary_category=journal or (subjects[0] if subjects else ""),
        doi=doi,
        abs_url=f"https://doi.org/{doi}",
    )


def _author(author: Any) -> str:
    if not isinstance(author, dict):
        return ""
    name = " ".join(str(author.get(k, "")) for k in ("given", "family")).strip()
    return name or str(author.get("name", "")).strip()


def work_date(work: dict[str, Any]) -> date | None:
    for name in DATE_FIELDS:
        parts = ((work.get(name) or {}).get("date-parts") or [[None]])[0]
        if parts and parts[0]:
            year, month, day = [*parts, 1, 1][:3]
            try:
                return date(int(year), int(month or 1), int(day or 1))
            except (TypeError, ValueError):
                continue
    return None


async def fetch_crossref(http: HttpFetcher, api_url: str, doi: str) -> FetchedPaper | str:
    """Look one DOI up; a paper, or why not (404: Crossref does not know it)."""
    url = f"{api_url.rstrip('/')}/works/{quote(doi, safe='/')}"
    try:
        resp = await http.get(url, polite_key=POLITE_KEY)
    except SourceError as exc:
        return "Crossref does not know it" if exc.status == 404 else exc.reason
    try:
        return parse_crossref_work(json.loads(resp.content))
    except (ValueError, UnicodeDecodeError):
        return "Crossref sent invalid JSON"
