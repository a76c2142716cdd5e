"""The real texts a synthetic day is made from: recorded feeds and the reference digest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.sources.arxiv_api import parse_arxiv_api
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page

SHARED = Path(__file__).resolve().parents[3] / "shared"
FIXTURES = SHARED / "fixtures"
REFERENCE = SHARED / "reference" / "arxiv_digest_2512_llm_summaries.jsonl"
ARXIV_RSS = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
BIORXIV_JSON = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"


@dataclass(frozen=True)
class Text:
    """One real paper's words: title, abstract, authors, and the field family it belongs to."""

    title: str
    abstract: str
    authors: tuple[str, ...]
    family: str  # "physics", "cs" or "bio"
    category: str


@dataclass(frozen=True)
class Pool:
    """The recorded texts, grouped by field family."""

    texts: tuple[Text, ...]

    def family(self, name: str) -> list[Text]:
        """The texts of one family."""
        return [t for t in self.texts if t.family == name]


def _quant_ph() -> list[Text]:
    outcome = parse_arxiv_feed(ARXIV_RSS.read_bytes(), str(ARXIV_RSS))
    return [
        Text(p.title, p.abstract, p.authors, "physics", p.primary_category)
        for p in outcome.papers
        if p.abstract
    ]


def _reference() -> list[Text]:
    rows = [json.loads(line) for line in REFERENCE.read_text().splitlines() if line.strip()]
    return [
        Text(r["title"], r["abstract"], tuple(r["authors"]), "cs", r["main_category"]) for r in rows
    ]


def _arxiv_api() -> list[Text]:
    texts = []
    for path in sorted((FIXTURES / "arxiv_api").glob("*.atom.xml")):
        papers, _, _ = parse_arxiv_api(path.read_bytes())
        texts += [Text(p.title, p.abstract, p.authors, "cs", "cs.CV") for p in papers]
    return texts


def _biorxiv() -> list[Text]:
    papers, _, _, _ = parse_biorxiv_page(json.loads(BIORXIV_JSON.read_text()))
    return [
        Text(p.title, p.abstract, p.authors, "bio", p.primary_category)
        for p in papers
        if p.abstract
    ]


def load_pool() -> Pool:
    """Every recorded text with an abstract."""
    return Pool(tuple(_quant_ph() + _reference() + _arxiv_api() + _biorxiv()))


def biorxiv_template() -> dict[str, object]:
    """The recorded shape of one bioRxiv `details` record and its page message."""
    data = json.loads(BIORXIV_JSON.read_text())
    return {"message": data["messages"][0], "record": data["collection"][0]}
