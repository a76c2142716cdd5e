"""Which paper a question means, and fetching one never seen: the arXiv API for arXiv ids,
the bioRxiv API (`details/biorxiv/<doi>`, then medrxiv) for 10.1101 DOIs; stored with
`upsert_papers` so it is found by id or DOI next time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import structlog

from bot.config import Settings
from bot.models import Paper
from bot.sources.arxiv_api import fetch_arxiv_ids
from bot.sources.arxiv_ids import find_arxiv_ids, find_dois, parse_arxiv_id
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.http import HttpFetcher, SourceError, is_unreachable
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import find_paper, upsert_papers

log = structlog.get_logger(__name__)
ARXIV_DOI_PREFIX = "10.48550/arxiv."
PREPRINT_DOI_PREFIX = "10.1101/"


def reference_in(text: str) -> str | None:
    """The first arXiv id (or arXiv URL) or DOI (or bioRxiv/medRxiv URL) named in `text`."""
    ids = find_arxiv_ids(text)
    if ids:
        return ids[0]
    for doi in find_dois(text):
        if doi.startswith(ARXIV_DOI_PREFIX):
            return doi[len(ARXIV_DOI_PREFIX) :]
        return doi
    return None


class LookupUnreachable(Exception):
    """A lookup that could not reach its source: the reference may well exist."""

    def __init__(self, source: str) -> None:
        super().__init__(f"{source} is not reachable")
        self.source = source


class PaperResolver:
    """Finds a stored paper by reference, looking up unknown arXiv ids and preprint DOIs."""

    def __init__(self, db: Database, http: HttpFetcher, settings: Settings) -> None:
        self._db = db
        self._http = http
        self._settings = settings

    async def resolve(self, reference: str) -> Paper | None:
        """The paper for an arXiv id/URL, DOI or key: stored, else looked up and stored."""
        async with self._db.session() as session:
            found = await find_paper(session, reference)
        if found is not None:
            return found
        fetched = await self._look_up(reference)
        if not fetched:
            return None
        async with self._db.session() as session:
            await upsert_papers(session, fetched)
            return await find_paper(session, fetched[0].key)

    async def _look_up(self, reference: str) -> list[FetchedPaper]:
        arxiv = parse_arxiv_id(reference)
        if arxiv is not None:
            return await self._arxiv(arxiv[0])
        doi = reference_in(reference)
        if doi is None:
            return []
        if parse_arxiv_id(doi) is not None:
            return await self._arxiv(doi)
        if doi.startswith(PREPRINT_DOI_PREFIX):
            return await self._preprint(doi)
        return []

    async def _arxiv(self, arxiv_id: str) -> list[FetchedPaper]:
        s = self._settings
        outcome = await fetch_arxiv_ids(self._http, s.arxiv_api_url, [arxiv_id], batch_size=1)
        if outcome.errors:
            log.info("qa.arxiv_lookup", arxiv_id=arxiv_id, errors=list(outcome.errors)[:3])
        found = [p for p in outcome.papers if p.arxiv_id == arxiv_id][:1]
        if not found and any(is_unreachable(e) for e in outcome.errors):
            raise LookupUnreachable("arXiv")
        return found

    async def _preprint(self, doi: str) -> list[FetchedPaper]:
        api = self._settings.biorxiv_api_url.rstrip("/")
        unreachable = 0
        for server in ("biorxiv", "medrxiv"):
            try:
                response = await self._http.get(f"{api}/details/{server}/{doi}")
                data = json.loads(response.content)
            except (SourceError, ValueError) as error:
                log.info("qa.preprint_lookup", doi=doi, server=server, error=str(error))
                unreachable += isinstance(error, SourceError) and is_unreachable(error.reason)
                continue
            papers = parse_biorxiv_page(data, server)[0] if isinstance(data, Mapping) else []
            if papers:
                return [max(papers, key=lambda p: p.version or 0)]
        if unreachable == 2:
            raise LookupUnreachable("bioRxiv/medRxiv")
        return []
