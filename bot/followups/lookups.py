"""Looking posted papers up again: arXiv in `id_list` batches, bioRxiv details, Crossref."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.config import Settings
from bot.followups.detect import Snapshot, snapshot_of
from bot.library.crossref import POLITE_KEY as CROSSREF_KEY
from bot.library.crossref import work_date
from bot.sources.arxiv_api import fetch_arxiv_ids
from bot.sources.arxiv_ids import normalize_doi
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.http import HttpFetcher, SourceError

NOTICE_TYPES = ("retraction", "withdrawal", "removal", "expression_of_concern")


@dataclass
class Looked:
    """Fresh snapshots by paper key, and what could not be looked up (kept for next time)."""

    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def look_arxiv(
    http: HttpFetcher, settings: Settings, arxiv_ids: Sequence[str], looked: Looked
) -> None:
    """Every id's current record, `FOLLOWUP_BATCH` ids per request at the API's polite rate."""
    if not arxiv_ids:
        return
    outcome = await fetch_arxiv_ids(
        http, settings.arxiv_api_url, arxiv_ids, batch_size=settings.followup_batch
    )
    for paper in outcome.papers:
        looked.snapshots[paper.key] = snapshot_of(paper)
        looked.titles[paper.key] = paper.title
    looked.errors.extend(outcome.errors)


async def look_biorxiv(
    http: HttpFetcher, settings: Settings, key: str, doi: str, server: str, looked: Looked
) -> None:
    """A bioRxiv/medRxiv preprint's latest version and its `published` DOI, if any."""
    url = f"{settings.biorxiv_api_url.rstrip('/')}/details/{server}/{doi}/na/json"
    try:
        data = json.loads((await http.get(url, polite_key="biorxiv")).content)
    except (SourceError, ValueError, UnicodeDecodeError) as exc:
        looked.errors.append(f"{server} {doi}: {exc}")
        return
    if not isinstance(data, dict):
        return
    papers, _, _, _ = parse_biorxiv_page(data, server)
    latest = max(papers, key=lambda p: p.version or 0, default=None)
    if latest is None:
        return
    records = [r for r in data.get("collection") or [] if isinstance(r, dict)]
    published = next(
        (normalize_doi(str(r.get("published"))) for r in reversed(records)
         if str(r.get("published", "NA")).upper() != "NA"),
        None,
    )  # fmt: skip
    looked.snapshots[key] = snapshot_of(latest, published or "")
    looked.titles[key] = latest.title


async def crossref_details(http: HttpFetcher, settings: Settings, doi: str) -> dict[str, str]:
    """Journal, date and title of a published DOI, and a retraction notice if Crossref has one."""
    url = f"{settings.crossref_api_url.rstrip('/')}/works/{quote(doi, safe='/')}"
    try:
        data = json.loads((await http.get(url, polite_key=CROSSREF_KEY)).content)
    except (SourceError, ValueError, UnicodeDecodeError):
        return {}
    work = data.get("message") if isinstance(data, dict) else None
    return work_details(work) if isinstance(work, dict) else {}


def work_details(work: dict[str, Any]) -> dict[str, str]:
    """The parts of a Crossref work a "published" follow-up shows."""
    details: dict[str, str] = {}
    journal = " ".join(work.get("container-title") or [])
    if journal:
        details["journal"] = journal
    when = work_date(work)
    if when is not None:
        details["date"] = when.isoformat()
    title = " ".join(" ".join(work.get("title") or []).split())
    if title:
        details["title"] = title
    for update in [*(work.get("updated-by") or []), *(work.get("update-to") or [])]:
        kind = str(update.get("type", "")).lower() if isinstance(update, dict) else ""
        if kind in NOTICE_TYPES and update.get("DOI"):
            details["notice"], details["notice_type"] = str(update["DOI"]), kind.replace("_", " ")
            break
    return details
