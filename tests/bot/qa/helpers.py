"""Q&A test material: the recorded PaSa PDF, an arXiv-style HTML page built from its own text,
the stored paper, and settings pointing every source at a loopback server."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from functools import cache
from typing import Any

from pypdf import PdfReader

from bot.config import Settings
from bot.models import Paper
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import find_paper, upsert_papers
from tests.conftest import FIXTURES

PASA_PDF = FIXTURES / "arxiv_fulltext" / "arxiv_pdf_2501.10120v1_PaSa.pdf"
ARXIV_ONE = FIXTURES / "arxiv_api" / "arxiv_api_recorded_idlist-2104.12255v1_2026-04-12.json"
PASA_ID = "2501.10120"
PASA_TITLE = "PaSa: An LLM Agent for Comprehensive Academic Paper Search"
# The section headings as they stand on their own lines in the PDF, in order.
HEADINGS = (
    "1 Introduction", "2 Related Work", "3 Datasets", "3.1 AutoScholarQuery",
    "3.2 RealScholarQuery", "4 Methodology", "4.1 Overview", "4.2 Crawler", "4.3 Selector",
    "5 Experiments", "5.1 Experimental Setting", "5.2 Baselines and Evaluation",
    "5.3 Main results", "5.4 Ablation study", "6 Conclusion",
)  # fmt: skip


def settings_for(base: str, **overrides: Any) -> Settings:
    """Settings whose arXiv HTML/PDF/API and bioRxiv API all live under `base`."""
    values: dict[str, Any] = {
        "http_retries": 1, "http_backoff": 0.0, "http_backoff_max": 0.0, "http_timeout": 5.0,
        "arxiv_api_min_interval": 0.0, "arxiv_html_url": f"{base}/html/",
        "arxiv_pdf_url": f"{base}/pdf/", "arxiv_api_url": f"{base}/api/query",
        "biorxiv_api_url": f"{base}/biorxiv", **overrides,
    }  # fmt: skip
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def pasa_pdf() -> bytes:
    """The recorded PDF of arXiv:2501.10120v1."""
    return PASA_PDF.read_bytes()


@cache
def pasa_lines() -> tuple[str, ...]:
    """The PDF's text lines as pypdf extracts them."""
    reader = PdfReader(io.BytesIO(pasa_pdf()))
    return tuple(line.strip() for p in reader.pages for line in p.extract_text().splitlines())


def pasa_abstract() -> str:
    """The abstract, from the PDF's own text."""
    lines = pasa_lines()
    start, end = lines.index("Abstract") + 1, lines.index("1 Introduction")
    text = " ".join(lines[start:end])
    return text.split("∗Equal contribution")[0].replace("- ", "").strip()


@cache
def pasa_html() -> str:
    """arXiv's LaTeXML HTML structure around the paper's own text (body up to References)."""
    lines = pasa_lines()
    parts = [f'<html><body><div class="ltx_page_main"><article class="ltx_document">'
             f'<h1 class="ltx_title ltx_title_document">{html.escape(PASA_TITLE)}</h1>'
             f'<div class="ltx_abstract"><h6 class="ltx_title">Abstract</h6>'
             f'<p class="ltx_p">{html.escape(pasa_abstract())}</p></div>']  # fmt: skip
    positions = [lines.index(h) for h in HEADINGS] + [lines.index("References")]
    open_sub = False
    for heading, start, end in zip(HEADINGS, positions, positions[1:], strict=False):
        tag, title = heading.split(" ", 1)
        sub = "." in tag
        if open_sub:
            parts.append("</section>")
        if not sub and start != positions[0]:
            parts.append("</section>")
        kind, level = ("subsection", "h3") if sub else ("section", "h2")
        parts.append(
            f'<section class="ltx_{kind}" id="S{tag}"><{level} class="ltx_title '
            f'ltx_title_{kind}"><span class="ltx_tag ltx_tag_{kind}">{tag} </span>'
            f"{html.escape(title)}</{level}>"
        )
        parts.extend(_paras(lines[start + 1 : end]))
        open_sub = sub
    parts.append("</section></section>" if open_sub else "</section>")
    parts.append("</article></div></body></html>")
    return "".join(parts)


def _paras(lines: tuple[str, ...]) -> list[str]:
    """Paragraphs of ~8 lines each, hyphenation undone, as ltx_para blocks."""
    out = []
    for i in range(0, len(lines), 8):
        text = re.sub(r"-\s+(?=[a-z])", "", " ".join(lines[i : i + 8]))
        out.append(f'<div class="ltx_para"><p class="ltx_p">{html.escape(text)}</p></div>')
    return out


def arxiv_api_body() -> str:
    """The recorded arXiv API reply for id_list=2104.12255v1."""
    return json.loads(ARXIV_ONE.read_text())["body"]


async def store_pasa(db: Database, abstract: str | None = None) -> Paper:
    """Store arXiv:2501.10120 as a fetched paper (optionally with another abstract)."""
    fetched = FetchedPaper(
        source="arxiv", key=f"arxiv:{PASA_ID}", title=PASA_TITLE,
        abstract=abstract if abstract is not None else pasa_abstract(),
        authors=("Yichen He", "Guanhua Huang"), announced_on=date(2025, 1, 17),
        categories=("cs.IR",), primary_category="cs.IR", arxiv_id=PASA_ID, version=1,
        abs_url=f"https://arxiv.org/abs/{PASA_ID}",
    )  # fmt: skip
    async with db.session() as session:
        await upsert_papers(session, [fetched])
        paper = await find_paper(session, PASA_ID)
    assert paper is not None
    return paper
