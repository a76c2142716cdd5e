"""Bounds on what a source may hand in: a 100 KB title must not become 25 messages and a
100,000-character prompt. Titles are cut at MAX_TITLE characters and abstracts at
MAX_ABSTRACT, and the stored abstract says so."""

from __future__ import annotations

from dataclasses import replace

from bot.sources.types import FetchedPaper

MAX_TITLE = 500
MAX_ABSTRACT = 10_000


def bounded(paper: FetchedPaper) -> FetchedPaper:
    """The paper with its title and abstract within bounds, and a note when they were cut."""
    title, abstract = paper.title, paper.abstract
    if len(title) <= MAX_TITLE and len(abstract) <= MAX_ABSTRACT:
        return paper
    notes = []
    if len(title) > MAX_TITLE:
        notes.append(f"title cut from {len(title):,} to {MAX_TITLE} characters")
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    if len(abstract) > MAX_ABSTRACT:
        notes.append(f"abstract cut from {len(abstract):,} to {MAX_ABSTRACT:,} characters")
        abstract = abstract[:MAX_ABSTRACT].rstrip() + "…"
    note = f"[paperbot: {'; '.join(notes)} at ingestion]"
    return replace(paper, title=title, abstract=f"{abstract}\n\n{note}".strip())
