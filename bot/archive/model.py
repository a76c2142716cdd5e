"""What an archive page shows: a channel's delivered papers, grouped by category with counts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.paper_view import PaperView


@dataclass(frozen=True, kw_only=True)
class ArchivePaper(PaperView):
    """One delivered paper as an archive page shows it: the shared view, its day and abstract."""

    number: int  # 1-based position on the page
    digest_date: date
    abstract: str


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
