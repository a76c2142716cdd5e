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
        assert paper.id is not None
        return cls(
            paper_id=paper.id,
            key=paper.key,
            title=paper.title,
            authors=tuple(paper.authors),
            primary_category=paper.primary_category,
            categories=tuple(paper.categories),
            abs_url=paper.abs_url,
            pdf_url=paper.pdf_url,
            summary=summary,
            **extra,
        )
