"""Reading a paper's full text: arXiv HTML, else its PDF, else the abstract; bioRxiv/medRxiv
JATS XML, else the abstract; journal items: the abstract. Every request goes through
`HttpFetcher` (retries, timeouts); nothing here raises for a missing or broken source.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import structlog

from bot.config import Settings
from bot.models import Paper
from bot.qa.arxiv_html import parse_arxiv_html
from bot.qa.jats import parse_jats
from bot.qa.pdf_text import parse_pdf
from bot.qa.types import Chunk, FullText, NoFullText
from bot.sources.http import HttpFetcher, SourceError

log = structlog.get_logger(__name__)
PREPRINT_SERVERS = ("biorxiv", "medrxiv")


class FullTextFetcher:
    """Fetches and parses one paper's full text from the best source that works."""

    def __init__(self, http: HttpFetcher, settings: Settings) -> None:
        self._http = http
        self._settings = settings
        self._full_text_limit = int(settings.http_max_pdf_mb * 1024 * 1024)

    async def fetch(self, paper: Paper) -> FullText:
        """The paper's full text, or FullText("abstract") when none could be read."""
        attempts: list[tuple[str, Callable[[], Awaitable[list[Chunk]]]]] = []
        if paper.arxiv_id:
            attempts += [("html", lambda: self._arxiv_html(paper)),
                         ("pdf", lambda: self._arxiv_pdf(paper))]  # fmt: skip
        elif paper.source in PREPRINT_SERVERS and paper.doi:
            attempts.append(("jats", lambda: self._jats(paper)))
        for kind, attempt in attempts:
            try:
                return FullText(kind, tuple(await attempt()))
            except (SourceError, NoFullText) as error:
                log.info("qa.fulltext_unavailable", paper=paper.key, kind=kind, error=str(error))
        return FullText("abstract")

    async def _arxiv_html(self, paper: Paper) -> list[Chunk]:
        response = await self._http.get(
            f"{self._settings.arxiv_html_url}{paper.arxiv_id}", max_bytes=self._full_text_limit
        )
        return parse_arxiv_html(response.content)

    async def _arxiv_pdf(self, paper: Paper) -> list[Chunk]:
        response = await self._http.get(
            f"{self._settings.arxiv_pdf_url}{paper.arxiv_id}", max_bytes=self._full_text_limit
        )
        if not response.content.lstrip().startswith(b"%PDF"):
            raise NoFullText("not a PDF")
        return await parse_pdf(response.content)

    async def _jats(self, paper: Paper) -> list[Chunk]:
        url = await self._jats_url(paper)
        response = await self._http.get(url, max_bytes=self._full_text_limit)
        return parse_jats(response.content)

    async def _jats_url(self, paper: Paper) -> str:
        """The newest version's `jatsxml` link from the bioRxiv API's details record."""
        api = self._settings.biorxiv_api_url.rstrip("/")
        response = await self._http.get(f"{api}/details/{paper.source}/{paper.doi}")
        try:
            records = json.loads(response.content).get("collection") or []
        except (ValueError, AttributeError) as error:
            raise NoFullText(f"bad details JSON: {error}") from error
        links = [r.get("jatsxml") for r in records if isinstance(r, dict) and r.get("jatsxml")]
        if not links:
            raise NoFullText("no jatsxml link in the details record")
        return str(links[-1])
