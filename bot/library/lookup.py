"""Finding the papers references name: stored ones first, then arXiv, bioRxiv and Crossref."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.library.crossref import fetch_crossref
from bot.library.refs import BIORXIV_DOI_PREFIX, Reference
from bot.models import Paper
from bot.sources.arxiv_api import fetch_arxiv_ids
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import _new_row


@dataclass
class Lookup:
    """The papers found for references, and the references not found with the reason."""

    papers: list[Paper] = field(default_factory=list)
    missing: list[tuple[Reference, str]] = field(default_factory=list)
    size: int = 0  # the library's size after adding them


async def stored_paper(session: AsyncSession, ref: Reference) -> Paper | None:
    """The stored paper a reference names."""
    column, value = (Paper.arxiv_id, ref.arxiv_id) if ref.arxiv_id else (Paper.doi, ref.doi)
    return (await session.exec(select(Paper).where(col(column) == value))).first()


async def find_papers(
    db: Database, http: HttpFetcher, settings: Settings, refs: Sequence[Reference]
) -> Lookup:
    """Each reference's paper: stored, else looked up and stored (without an announcement)."""
    result, wanted = Lookup(), []
    async with db.session() as session:
        for ref in refs:
            paper = await stored_paper(session, ref)
            if paper is None:
                wanted.append(ref)
            else:
                result.papers.append(paper)
    fetched = await _fetch(http, settings, wanted, result)
    async with db.session() as session:
        for ref, found in fetched:
            paper = await stored_paper(session, ref)
            if paper is None:
                paper = _new_row(found)
                session.add(paper)
                await session.flush()
            result.papers.append(paper)
    return result


async def _fetch(
    http: HttpFetcher, settings: Settings, refs: Sequence[Reference], result: Lookup
) -> list[tuple[Reference, FetchedPaper]]:
    """Look the unstored references up at their sources."""
    found: list[tuple[Reference, FetchedPaper]] = []
    arxiv = [r for r in refs if r.arxiv_id]
    if arxiv:
        outcome = await fetch_arxiv_ids(
            http,
            settings.arxiv_api_url,
            [r.arxiv_id or "" for r in arxiv],
            batch_size=settings.arxiv_api_batch_size,
        )
        by_id = {p.arxiv_id: p for p in outcome.papers}
        reason = "; ".join(outcome.errors) or "arXiv does not know it"
        for ref in arxiv:
            paper = by_id.get(ref.arxiv_id)
            _keep(found, result, ref, paper if paper else reason)
    for ref in (r for r in refs if r.doi):
        _keep(found, result, ref, await _fetch_doi(http, settings, ref.doi or ""))
    return found


def _keep(
    found: list[tuple[Reference, FetchedPaper]],
    result: Lookup,
    ref: Reference,
    paper: FetchedPaper | str,
) -> None:
    if isinstance(paper, str):
        result.missing.append((ref, paper))
    else:
        found.append((ref, paper))


async def _fetch_doi(http: HttpFetcher, settings: Settings, doi: str) -> FetchedPaper | str:
    """bioRxiv/medRxiv DOIs from their API (latest version), every other DOI from Crossref."""
    if doi.startswith(BIORXIV_DOI_PREFIX):
        for server in ("biorxiv", "medrxiv"):
            paper = await _biorxiv_doi(http, settings.biorxiv_api_url, server, doi)
            if paper is not None:
                return paper
    return await fetch_crossref(http, settings.crossref_api_url, doi)


async def _biorxiv_doi(
    http: HttpFetcher, api_url: str, server: str, doi: str
) -> FetchedPaper | None:
    url = f"{api_url.rstrip('/')}/details/{server}/{doi}/na/json"
    try:
        data = json.loads((await http.get(url)).content)
    except (SourceError, ValueError, UnicodeDecodeError):
        return None
    papers, _, _, _ = parse_biorxiv_page(data, server) if isinstance(data, dict) else ([],) * 4
    latest = max(papers, key=lambda p: p.version or 0, default=None)
    return latest
