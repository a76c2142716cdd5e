"""A strict loopback Zotero web API v3: one library's top items, built from recorded records.

Items take the shapes Zotero's own translators give them (an arXiv preprint: `archiveID`,
the 10.48550 DOI, `extra` "arXiv:… [cs]"; a bioRxiv preprint with its abstract; a journal
article with only its DOI), filled from the recorded arXiv API, bioRxiv and Crossref replies.
The server checks the key, caps `limit` at 100, pages with `start` and `Link` headers, answers
`since` and `If-Modified-Since-Version` (304), and says `Last-Modified-Version`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.sources.arxiv_api import parse_arxiv_api
from tests.conftest import FIXTURES
from tests.fakes.crossref import CROSSREF_WORK
from tests.fakes.http_server import FakeHttpServer

ARXIV_TWO = (
    FIXTURES / "arxiv_api" / "arxiv_api_recorded_idlist-0808.05394-and-1707.08567_2026-04-12.json"
)
BIORXIV = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"
USER_ID = "475425"
KEY = "P9NiFoyLeZu2bZNvvuQPDWsd"  # the shape of a Zotero key: 24 letters and digits
COLLECTION = "9KH9TNSJ"


@dataclass
class FakeZotero:
    """The library the fake serves; `add` bumps its version as a Zotero edit does."""

    items: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    max_limit: int = 100  # what Zotero caps `limit` at
    backoff: str = ""  # a Backoff header to send on every page, when set
    in_collection: set[str] = field(default_factory=set)

    def add(self, data: dict[str, Any], *, collection: bool = False) -> str:
        """Add an item (its `data`); returns its key."""
        self.version += 1
        key = f"ITEM{len(self.items):04d}"
        creators = data.get("creators") or []
        self.items.append({
            "key": key, "version": self.version,
            "library": {"type": "user", "id": int(USER_ID), "name": "lab"},
            "meta": {"creatorSummary": (creators[0].get("lastName", "") if creators else ""),
                     "numChildren": 1 if data.get("itemType") == "preprint" else 0},
            "data": {"key": key, "version": self.version, "tags": [], "collections": [],
                     "relations": {}, **data},
        })  # fmt: skip
        if collection:
            self.in_collection.add(key)
        return key


def recorded_library(fake: FakeZotero) -> FakeZotero:
    """An arXiv preprint, an arXiv id arXiv lacks, bioRxiv, a journal article, a book, a note."""
    papers, _, _ = parse_arxiv_api(json.loads(ARXIV_TWO.read_text())["body"].encode())
    fake.add(_arxiv_preprint(papers[0]), collection=True)  # 1707.08567
    fake.add({  # arXiv answers this id with an error entry: it is never found
        "itemType": "journalArticle", "title": "An id arXiv does not know",
        "extra": "arXiv: 0808.05394", "publicationTitle": "",
    })  # fmt: skip
    fake.add(_biorxiv_preprint(json.loads(BIORXIV.read_text())["collection"][0]), collection=True)
    work = json.loads(CROSSREF_WORK.read_text())["message"]
    fake.add({
        "itemType": "journalArticle", "title": work["title"][0], "DOI": work["DOI"].upper(),
        "publicationTitle": work["container-title"][0], "abstractNote": "",
        "creators": [{"creatorType": "author", "firstName": a.get("given", ""),
                      "lastName": a.get("family", "")} for a in work["author"] if "family" in a],
    })  # fmt: skip
    fake.add(
        {
            "itemType": "book",
            "title": "Deep Learning",
            "ISBN": "9780262035613",
            "creators": [{"creatorType": "author", "firstName": "Ian", "lastName": "Goodfellow"}],
        }
    )
    fake.add({"itemType": "note", "note": "<p>read these before the retreat</p>"})
    return fake


def _creators(names: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for name in names:
        first, _, last = name.rpartition(" ")
        out.append({"creatorType": "author", "firstName": first, "lastName": last})
    return out


def _arxiv_preprint(paper: Any) -> dict[str, Any]:
    ident = paper.arxiv_id
    return {
        "itemType": "preprint", "title": paper.title, "abstractNote": paper.abstract,
        "creators": _creators(paper.authors), "url": f"http://arxiv.org/abs/{ident}v{paper.version}",
        "DOI": f"10.48550/arXiv.{ident}", "archiveID": f"arXiv:{ident}", "repository": "arXiv",
        "extra": f"arXiv:{ident} [{paper.primary_category.split('.')[0]}]",
        "libraryCatalog": "arXiv.org", "date": paper.announced_on.isoformat(),
    }  # fmt: skip


def _biorxiv_preprint(record: dict[str, Any]) -> dict[str, Any]:
    creators = []
    for author in record["authors"].split(";"):
        last, _, first = author.strip().partition(", ")
        creators.append({"creatorType": "author", "firstName": first, "lastName": last})
    return {
        "itemType": "preprint", "title": record["title"], "abstractNote": record["abstract"],
        "creators": creators, "DOI": record["doi"], "repository": "bioRxiv",
        "url": f"https://www.biorxiv.org/content/{record['doi']}v{record['version']}",
        "date": record["date"], "libraryCatalog": "bioRxiv",
    }  # fmt: skip


def serve_zotero(server: FakeHttpServer, fake: FakeZotero, prefix: str = "/zotero") -> str:
    """Route the library on the server; returns ZOTERO_API_URL for it."""

    async def items(request: web.Request) -> web.StreamResponse:
        refused = _refused(request)
        if refused is not None:
            return refused
        rest = request.path[len(prefix) :]
        parts = rest.strip("/").split("/")
        if parts == ["keys", "current"]:  # what the key may read
            return web.json_response({
                "key": KEY, "userID": int(USER_ID), "username": "lab",
                "access": {"user": {"library": True, "files": True}},
            })  # fmt: skip
        if parts[:2] != ["users", USER_ID]:
            return web.Response(status=403, text="Forbidden")
        collection = parts[3] if parts[2:3] == ["collections"] else None
        if collection is not None and collection != COLLECTION:
            return web.Response(status=404, text="Collection not found")
        if request.query.get("format", "json") != "json":
            return web.Response(status=400, text="Invalid 'format' value")
        return _page(request, fake, collection)

    server.route_prefix(f"{prefix}/", items)
    return f"{server.url}{prefix}"


def _refused(request: web.Request) -> web.Response | None:
    given = request.headers.get("Zotero-API-Key") or request.query.get("key")
    auth = request.headers.get("Authorization", "")
    given = given or (auth[7:] if auth.startswith("Bearer ") else None)
    if given is None:
        return web.Response(status=403, text="Forbidden")
    if given != KEY:
        return web.Response(status=403, text="Invalid key")
    return None


def _page(request: web.Request, fake: FakeZotero, collection: str | None) -> web.Response:
    headers = {"Zotero-API-Version": "3", "Last-Modified-Version": str(fake.version)}
    known = request.headers.get("If-Modified-Since-Version")
    if known is not None and known.isdigit() and int(known) >= fake.version:
        return web.Response(status=304, headers=headers)
    since = int(request.query.get("since", "0") or 0)
    chosen = [
        i for i in fake.items
        if i["version"] > since and (collection is None or i["key"] in fake.in_collection)
    ]  # fmt: skip
    limit = min(int(request.query.get("limit", "25")), fake.max_limit)
    start = int(request.query.get("start", "0"))
    page = chosen[start : start + limit]
    headers["Total-Results"] = str(len(chosen))
    if fake.backoff:
        headers["Backoff"] = fake.backoff
    if start + limit < len(chosen):
        query = {**request.query, "start": str(start + limit), "limit": str(limit)}
        headers["Link"] = f'<{request.url.with_query(None)}?{urlencode(query)}>; rel="next"'
    return web.json_response(page, headers=headers)
