"""The cross-disciplinary part of a briefing: what moved in each field, and the connections.

A paper's field is its arXiv archive (cs, quant-ph, math, …: the part of the primary category
before the dot) or its server (bioRxiv, medRxiv) or "Journals". Offline, a field's note is
its keyword clusters ("3 papers on graph neural networks (#1, #4, #9)"), and a connection is a
keyword shared by papers of different fields. With an LLM (`bot.weekly.fields_llm`) the same
notes are written as prose in one call over the week's summaries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.query import tokenize
from bot.summary.types import Summary

ARCHIVES = {
    "cs": "Computer science", "math": "Mathematics", "quant-ph": "Quantum physics",
    "stat": "Statistics", "eess": "Electrical engineering", "econ": "Economics",
    "q-bio": "Quantitative biology", "q-fin": "Quantitative finance",
    "astro-ph": "Astrophysics", "cond-mat": "Condensed matter", "physics": "Physics",
    "hep-th": "High-energy physics", "hep-ph": "High-energy physics",
    "hep-ex": "High-energy physics", "hep-lat": "High-energy physics",
    "gr-qc": "Gravitation and cosmology", "nlin": "Nonlinear sciences",
    "nucl-th": "Nuclear physics", "nucl-ex": "Nuclear physics", "math-ph": "Mathematical physics",
}  # fmt: skip
SERVERS = {"biorxiv": "Biology (bioRxiv)", "medrxiv": "Medicine (medRxiv)", "journal": "Journals"}
MAX_CLUSTERS = 3
MAX_CONNECTIONS = 3
MIN_SHARED = 2


@dataclass(frozen=True)
class Cited:
    """A paper a note cites: its number in the briefing, title and link."""

    number: int
    title: str
    url: str


@dataclass(frozen=True)
class FieldNote:
    """What moved in one field this week: a few sentences and the papers they cite."""

    field: str
    text: str
    papers: tuple[Cited, ...] = ()


@dataclass(frozen=True)
class CrossField:
    """Notes per field plus the connections across fields (empty text: none found)."""

    notes: tuple[FieldNote, ...]
    connections: str
    cited: tuple[Cited, ...] = ()  # the papers the connections cite

    def to_plan(self) -> dict[str, Any]:
        """JSON-ready (a briefing's plan stores it)."""
        return asdict(self)

    @classmethod
    def from_plan(cls, data: dict[str, Any]) -> CrossField:
        """Back from `to_plan` output."""
        notes = tuple(
            FieldNote(n["field"], n["text"], tuple(Cited(**c) for c in n.get("papers", ())))
            for n in data.get("notes", ())
        )
        cited = tuple(Cited(**c) for c in data.get("cited", ()))
        return cls(notes, str(data.get("connections", "")), cited)


@dataclass(frozen=True)
class WeekPaper:
    """One of the week's papers as the cross-field notes read it (numbered as listed)."""

    number: int
    title: str
    url: str
    source: str
    category: str
    summary: Summary

    @property
    def field(self) -> str:
        """The paper's field name."""
        return field_of(self.source, self.category)

    @property
    def cited(self) -> Cited:
        """The paper as a citation."""
        return Cited(self.number, self.title, self.url)


def field_of(source: str, category: str) -> str:
    """The field a paper belongs to, from its source and primary category."""
    if source in SERVERS:
        return SERVERS[source]
    archive = (category or "").split(".")[0]
    return ARCHIVES.get(archive, archive or "Other")


def by_field(papers: Sequence[WeekPaper]) -> dict[str, list[WeekPaper]]:
    """The papers grouped by field, fields in order of first appearance."""
    groups: dict[str, list[WeekPaper]] = defaultdict(list)
    for paper in papers:
        groups[paper.field].append(paper)
    return dict(groups)


def offline_cross_field(papers: Sequence[WeekPaper]) -> CrossField | None:
    """Keyword clusters per field and the keywords shared across fields; None for one field."""
    groups = by_field(papers)
    if len(groups) < 2:
        return None
    notes = tuple(_field_note(name, members) for name, members in groups.items())
    connections, cited = _connections(papers)
    return CrossField(notes, connections, cited)


def keyword_sets(papers: Sequence[WeekPaper]) -> dict[tuple[str, ...], list[WeekPaper]]:
    """Per normalized keyword, the papers whose summary has it (each paper once)."""
    found: dict[tuple[str, ...], list[WeekPaper]] = defaultdict(list)
    for paper in papers:
        for key in dict.fromkeys(tuple(tokenize(k)) for k in paper.summary.keywords):
            if key:
                found[key].append(paper)
    return found


def _spelling(key: tuple[str, ...], papers: Sequence[WeekPaper]) -> str:
    for paper in papers:
        for keyword in paper.summary.keywords:
            if tuple(tokenize(keyword)) == key:
                return keyword
    return " ".join(key)


def _numbers(papers: Sequence[WeekPaper]) -> str:
    return ", ".join(f"#{p.number}" for p in papers)


def _field_note(name: str, papers: list[WeekPaper]) -> FieldNote:
    shared = sorted(
        ((k, ps) for k, ps in keyword_sets(papers).items() if len(ps) >= MIN_SHARED),
        key=lambda kv: (-len(kv[1]), -len(kv[0]), kv[0]),
    )
    clusters: list[str] = []
    covered: set[int] = set()
    for key, members in shared:
        if len(clusters) == MAX_CLUSTERS or {p.number for p in members} <= covered:
            continue
        covered |= {p.number for p in members}
        clusters.append(f"{len(members)} on {_spelling(key, members)} ({_numbers(members)})")
    count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
    if clusters:
        text = f"{count}: " + "; ".join(clusters) + "."
    else:
        text = f"{count}, led by {papers[0].title} (#{papers[0].number})."
    cited = [p.cited for p in papers if p.number in covered] or [papers[0].cited]
    return FieldNote(name, text, tuple(cited))


def _connections(papers: Sequence[WeekPaper]) -> tuple[str, tuple[Cited, ...]]:
    spans = [
        (key, members)
        for key, members in keyword_sets(papers).items()
        if len({p.field for p in members}) >= 2
    ]
    spans.sort(key=lambda kv: (-len({p.field for p in kv[1]}), -len(kv[1]), kv[0]))
    lines, cited = [], {}
    for key, members in spans[:MAX_CONNECTIONS]:
        fields = sorted({p.field for p in members})
        lines.append(f"{_spelling(key, members)} links {', '.join(fields)} ({_numbers(members)})")
        cited.update({p.number: p.cited for p in members})
    text = "; ".join(lines) + "." if lines else ""
    return text, tuple(cited[n] for n in sorted(cited))
