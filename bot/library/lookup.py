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
from bot.models import Paper, utcnow
from bot.sources.arxiv_api import fetch_arxiv_ids
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.http import HttpFetcher, SourceError
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import insert_missing


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
    db: Database,
    http: HttpFetcher,
    settings: Settings,
    refs: Sequence[Reference],
    described: Sequence[tuple[Reference, FetchedPaper]] = (),
) -> Lookup:
    """Each reference's paper: stored, else looked up and stored (without an announcement).

    `described` are references that come with their own metadata (a Zotero item's title and
    abstract): stored from it when not stored yet, never looked up.
    """
    result, wanted, own = Lookup(), [], dict(described)
    fetched: list[tuple[Reference, FetchedPaper]] = []
    async with db.session() as session:
        for ref in [*refs, *own]:
            paper = await stored_paper(session, ref)
            if paper is not None:
                result.papers.append(paper)
            elif ref in own:
                fetched.append((ref, own[ref]))
            else:
                wanted.append(ref)
    fetched += await _fetch(http, settings, wanted, result)
    result.papers.extend(await _store_new(db, [paper for _, paper in fetched]))
    return result


async def _store_new(db: Database, fetched: Sequence[FetchedPaper]) -> list[Paper]:
    """Store the looked-up papers not stored yet (two lookups may race) and read them back."""
    merged = {paper.key: paper for paper in fetched}
    async with db.session() as session:
        stored, _ = await insert_missing(session, merged, utcnow())
    return [stored[key] for key in merged if key in stored]


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
