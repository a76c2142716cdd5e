"""One view of a stored paper with its summary, which digests, archive pages and feeds share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from bot.models import Paper
from bot.summary.types import Summary


@dataclass(frozen=True, kw_only=True)
class PaperView:
    """A stored paper as any post or page shows it: identity, links and its summary."""

    paper_id: int
    key: str
    title: str
    authors: tuple[str, ...]
    primary_category: str
    categories: tuple[str, ...]
    abs_url: str
    pdf_url: str | None
    summary: Summary

    @classmethod
    def of(cls, paper: Paper, summary: Summary, **extra: Any) -> Self:
        """The view of a stored paper, plus the fields a subclass adds (`extra`)."""
        return cls(**view_fields(paper), summary=summary, **extra)


def view_fields(paper: Paper) -> dict[str, Any]:
    """The fields of a paper's view that its row gives (all but the summary)."""
    assert paper.id is not None
    return {
        "paper_id": paper.id,
        "key": paper.key,
        "title": paper.title,
        "authors": tuple(paper.authors),
        "primary_category": paper.primary_category,
        "categories": tuple(paper.categories),
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
    }


class PaperFields:
    """`view_fields` read once per paper, for the many digests of one delivery run that show
    the same papers (a run's papers are not changed while it lasts)."""

    def __init__(self) -> None:
        self._fields: dict[int, dict[str, Any]] = {}

    def of(self, paper: Paper) -> dict[str, Any]:
        """The paper's view fields."""
        found = self._fields.get(paper.id or 0)
        if found is None:
            found = self._fields[paper.id or 0] = view_fields(paper)
        return found
