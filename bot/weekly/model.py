"""The weekly briefing as data: JSON-ready, so a delivery's plan holds exactly what is posted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.impact.tournament import ImpactPick
from bot.weekly.fields import CrossField

VOTE_WEIGHT = 10  # one net 👍 is worth 10 points of the 0–100 summary score
WEEK = 7


@dataclass(frozen=True)
class TopPaper:
    """One of the week's papers as the briefing lists it."""

    paper_id: int
    title: str
    url: str
    category: str
    score: int  # the summary's 0–100 score
    votes: int  # 👍 minus 👎 in this channel
    one_line: str = ""

    @property
    def rank(self) -> int:
        """The ordering value: summary score + VOTE_WEIGHT × net votes."""
        return self.score + VOTE_WEIGHT * self.votes


@dataclass(frozen=True)
class TopicCounts:
    """How many of the week's papers matched one topic, per day of the week."""

    topic: str
    per_day: tuple[int, ...]

    @property
    def total(self) -> int:
        """The week's papers for this topic."""
        return sum(self.per_day)


@dataclass(frozen=True)
class Briefing:
    """A channel's weekly briefing for the week ending the day before `on`."""

    channel_id: int
    on: date  # the briefing's date; the week is the 7 days before it
    language: str
    papers: int  # how many papers the channel got that week
    top: tuple[TopPaper, ...] = ()
    themes: tuple[str, ...] = ()
    counts: tuple[TopicCounts, ...] = field(default_factory=tuple)
    impact: tuple[ImpactPick, ...] = ()  # the impact tournament's top papers (LLM only)
    cross: CrossField | None = None  # per-field notes and connections (several fields)

    @property
    def days(self) -> tuple[date, ...]:
        """The week's seven days, oldest first."""
        return week_days(self.on)

    def to_plan(self) -> dict[str, Any]:
        """A JSON-ready dict (stored as the delivery's plan)."""
        data = asdict(self)
        data["on"] = self.on.isoformat()
        return data

    @classmethod
    def from_plan(cls, data: dict[str, Any]) -> Briefing:
        """The briefing back from `to_plan` output."""
        return cls(
            channel_id=int(data["channel_id"]),
            on=date.fromisoformat(data["on"]),
            language=str(data["language"]),
            papers=int(data["papers"]),
            top=tuple(TopPaper(**p) for p in data.get("top", ())),
            themes=tuple(data.get("themes", ())),
            counts=tuple(
                TopicCounts(c["topic"], tuple(c["per_day"])) for c in data.get("counts", ())
            ),
            impact=tuple(ImpactPick(**p) for p in data.get("impact", ())),
            cross=CrossField.from_plan(data["cross"]) if data.get("cross") else None,
        )


def week_days(on: date) -> tuple[date, ...]:
    """The seven days before `on`, oldest first (the week a briefing on `on` covers)."""
    return tuple(on - timedelta(days=WEEK - i) for i in range(WEEK))
