"""The platform-neutral digest: sections by category, papers with summaries and scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from bot.paper_view import PaperView


@dataclass(frozen=True, kw_only=True)
class DigestPaper(PaperView):
    """One paper as a digest shows it: the shared view, its number, version and relevance."""

    number: int  # 1-based position in the digest, for `>N question`
    announce_type: str
    version: int | None
    relevance: float  # 0–100: how well it fits the channel (see `help`)
    reason: str = ""  # why it was picked, one line

    @property
    def is_replacement(self) -> bool:
        """True when this is a new version of an earlier paper."""
        return self.announce_type.startswith("replace")


@dataclass(frozen=True)
class DigestSection:
    """The digest's papers in one primary category."""

    category: str
    papers: tuple[DigestPaper, ...]

    @property
    def count(self) -> int:
        """How many papers this section holds."""
        return len(self.papers)


@dataclass(frozen=True)
class Digest:
    """A channel's digest for one announcement date."""

    channel_id: int
    digest_date: date
    language: str
    sections: tuple[DigestSection, ...]
    matched: int  # papers that matched before the size cap
    themes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # footer: fallbacks, missing sources

    @cached_property
    def papers(self) -> tuple[DigestPaper, ...]:
        """Every paper in display order (worked out once: a delivery reads it per post)."""
        return tuple(p for s in self.sections for p in s.papers)

    @property
    def is_empty(self) -> bool:
        """True when nothing matched."""
        return not self.sections
