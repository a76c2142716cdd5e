"""A Zotero user or group library (web API v3) read page by page as library references.

Each sync asks only for what changed since the version the channel last synced in full
(`since`), with `If-Modified-Since-Version`, so an unchanged library costs one 304. Items
without an arXiv id or DOI are skipped and named; an item that is not an arXiv paper but
carries its own abstract is stored from Zotero's metadata, with no Crossref round trip.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.config import Settings
from bot.library.refs import BIORXIV_DOI_PREFIX, Reference, entry_reference
from bot.sources.arxiv_ids import find_arxiv_ids, normalize_doi
from bot.sources.http import HttpFetcher, HttpResponse, SourceError, is_unreachable
from bot.sources.types import FetchedPaper

PAGE = 100  # the API's largest page
MAX_PAGES = 100  # 10,000 items a sync; more are left for the next one
MAX_BACKOFF = 60.0
NOT_PAPERS = frozenset({"note", "attachment", "annotation"})
NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)(?:-(\d\d))?(?:-(\d\d))?")
Sleep = Callable[[float], Awaitable[None]]


class ZoteroError(Exception):
    """Zotero refused or failed the sync; the message is for the person who asked."""


@dataclass(frozen=True)
class ZoteroSource:
    """Which Zotero library (and collection) a sync reads, with the key that may read it."""

    api_url: str
    api_key: str
    library: str  # "users/123" or "groups/456"
    collection: str = ""

    @classmethod
    def of(cls, settings: Settings, collection: str = "") -> ZoteroSource | None:
        """From ZOTERO_* settings; None when no library is configured."""
        if settings.zotero_user_id:
            library = f"users/{settings.zotero_user_id}"
        elif settings.zotero_group_id:
            library = f"groups/{settings.zotero_group_id}"
        else:
            return None
        chosen = collection or settings.zotero_collection
        return cls(settings.zotero_api_url.rstrip("/"), settings.zotero_api_key, library, chosen)

    @property
    def path(self) -> str:
        """The library, or its collection: "users/123" or "users/123/collections/ABCD2345"."""
        return f"{self.library}/collections/{self.collection}" if self.collection else self.library

    @property
    def name(self) -> str:
        """How the store remembers this source ("zotero:users/123/collections/ABCD2345")."""
        return f"zotero:{self.path}"

    def items_url(self) -> str:
        """Top-level items (no child notes or attachments) of the library or collection."""
        return f"{self.api_url}/{self.path}/items/top"

    def headers(self) -> dict[str, str]:
        """The API version and the key, sent with every request."""
        return {"Zotero-API-Version": "3", "Zotero-API-Key": self.api_key}


@dataclass
class ZoteroItems:
    """What a sync read: references, papers Zotero describes itself, and the skipped."""

    references: list[Reference] = field(default_factory=list)
    described: list[tuple[Reference, FetchedPaper]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    read: int = 0  # items read, papers or not
    version: int = 0  # the library's version as Zotero reported it
    not_modified: bool = False
    truncated: bool = False


async def read_zotero(
    http: HttpFetcher, source: ZoteroSource, since: int | None, sleep: Sleep = asyncio.sleep
) -> ZoteroItems:
    """Every item changed since `since` (all when None); ZoteroError when Zotero refuses."""
    items = ZoteroItems()
    url: str | None = source.items_url()
    params: dict[str, Any] | None = {"format": "json", "limit": PAGE}
    headers = source.headers()
    if since is not None:
        params = {**params, "since": since}
        headers["If-Modified-Since-Version"] = str(since)
    for _ in range(MAX_PAGES):
        if url is None:
            return items
        resp = await _get(http, source, url, params, headers)
        if resp.status == 304:
            items.not_modified, items.version = True, since or 0
            return items
        headers.pop("If-Modified-Since-Version", None)
        items.version = items.version or _int(resp.headers.get("last-modified-version"))
        for item in _page(resp):
            add_item(items, item)
        url, params = _next_page(resp), None
        backoff = _float(resp.headers.get("backoff"))
        if url and backoff:
            await sleep(min(backoff, MAX_BACKOFF))  # Zotero asks clients to slow down
    items.truncated = url is not None
    return items


async def _get(
    http: HttpFetcher,
    source: ZoteroSource,
    url: str,
    params: dict[str, Any] | None,
    headers: dict[str, str],
) -> HttpResponse:
    try:
        return await http.get(url, params=params, headers=headers, polite_key="zotero")
    except SourceError as exc:
        raise ZoteroError(_refusal(source, exc)) from exc


def _refusal(source: ZoteroSource, exc: SourceError) -> str:
    """What to tell a person about a failed Zotero request (never the key)."""
    body = exc.body.decode("utf-8", "replace").strip()[:120]
    if exc.status == 403:
        return (
            f"Zotero refused the key for {source.library} ({body or 'Forbidden'}): check "
            "that ZOTERO_API_KEY may read that library."
        )
    if exc.status == 404:
        what = f"collection {source.collection} in " if source.collection else ""
        return f"Zotero has no {what}{source.library} (404): check the ZOTERO_* ids."
    if exc.status is None and is_unreachable(exc.reason):
        return f"I could not reach Zotero at {source.api_url}; try again later."
    return f"Zotero did not answer the sync ({exc.reason})."


def _page(resp: HttpResponse) -> list[dict[str, Any]]:
    try:
        data = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZoteroError("Zotero sent a page that is not JSON; try again later.") from exc
    if not isinstance(data, list):
        raise ZoteroError("Zotero sent a page that is not a list of items.")
    return [item for item in data if isinstance(item, dict)]


def _next_page(resp: HttpResponse) -> str | None:
    match = NEXT_LINK.search(resp.headers.get("link", ""))
    return match[1] if match else None


def add_item(items: ZoteroItems, item: dict[str, Any]) -> None:
    """Fold one Zotero item into what the sync read."""
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    assert isinstance(data, dict)
    if str(data.get("itemType", "")) in NOT_PAPERS:
        return
    items.read += 1
    title = " ".join(str(data.get("title") or "").split())
    ref = item_reference(data, title)
    if ref is None:
        items.skipped.append(title or "(untitled item)")
        return
    paper = None if ref.arxiv_id else described_paper(data, ref, title)
    if paper is not None:
        items.described.append((ref, paper))
    elif ref not in items.references:
        items.references.append(ref)


def item_reference(data: dict[str, Any], title: str) -> Reference | None:
    """The arXiv id or DOI an item names in DOI, archiveID, extra or url."""
    extra = str(data.get("extra") or "")
    eprint = str(data.get("archiveID") or "")
    if not eprint:
        eprint = next(iter(find_arxiv_ids(extra)), "") if "arxiv" in extra.lower() else ""
    doi = str(data.get("DOI") or "")
    if not doi:
        line = next((ln for ln in extra.splitlines() if ln.lower().startswith("doi:")), "")
        doi = normalize_doi(line) or ""
    return entry_reference(doi, eprint, str(data.get("url") or ""), title)


def described_paper(data: dict[str, Any], ref: Reference, title: str) -> FetchedPaper | None:
    """A DOI item with its own title and abstract, as a paper; None when it lacks either."""
    abstract = " ".join(str(data.get("abstractNote") or "").split())
    if not (ref.doi and title and abstract):
        return None
    venue = str(data.get("publicationTitle") or data.get("repository") or "")
    return FetchedPaper(
        source="biorxiv" if ref.doi.startswith(BIORXIV_DOI_PREFIX) else "journal",
        key=f"doi:{ref.doi}",
        title=title,
        abstract=abstract,
        authors=tuple(a for a in map(_creator, data.get("creators") or []) if a),
        announced_on=_date(str(data.get("date") or "")),
        primary_category=venue,
        doi=ref.doi,
        abs_url=f"https://doi.org/{ref.doi}",
    )


def _creator(creator: Any) -> str:
    if not isinstance(creator, dict) or creator.get("creatorType", "author") != "author":
        return ""
    name = creator.get("name") or f"{creator.get('firstName', '')} {creator.get('lastName', '')}"
    return " ".join(str(name).split())


def _date(text: str) -> date:
    match = YEAR.search(text)
    if match is None:
        return date(1970, 1, 1)
    try:
        return date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        return date(int(match[1]), 1, 1)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _float(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0
