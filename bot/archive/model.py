"""What an archive page shows: a channel's delivered papers, grouped by category with counts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.summary.types import Summary


@dataclass(frozen=True)
class ArchivePaper:
    """One delivered paper with its summary, as an archive page shows it."""

    number: int  # 1-based position on the page
    digest_date: date
    key: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    primary_category: str
    categories: tuple[str, ...]
    abs_url: str
    pdf_url: str | None
    summary: Summary


@dataclass(frozen=True)
class ArchiveSection:
    """A page's papers in one primary category, in delivered order."""

    category: str
    papers: tuple[ArchivePaper, ...]

    @property
    def count(self) -> int:
        """How many papers this section holds."""
        return len(self.papers)


@dataclass(frozen=True)
class ArchivePage:
    """A channel's digest(s) for a date or a week, ready to render."""

    channel: str  # "<platform>:<channel id>"
    first: date
    last: date
    language: str
    sections: tuple[ArchiveSection, ...]

    @property
    def papers(self) -> tuple[ArchivePaper, ...]:
        """Every paper in page order."""
        return tuple(p for s in self.sections for p in s.papers)

    @property
    def period(self) -> str:
        """The date, or the first and last dates of a week."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def group_sections(papers: list[ArchivePaper]) -> tuple[ArchiveSection, ...]:
    """Sections by primary category in order of first appearance, papers renumbered."""
    groups: dict[str, list[ArchivePaper]] = {}
    for paper in papers:
        groups.setdefault(paper.primary_category or "other", []).append(paper)
    sections, number = [], 0
    for category, members in groups.items():
        renumbered = []
        for paper in members:
            number += 1
            renumbered.append(replace(paper, number=number))
        sections.append(ArchiveSection(category, tuple(renumbered)))
    return tuple(sections)
