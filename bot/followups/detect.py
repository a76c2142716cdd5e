"""What changed about a posted paper between two looks: new version, code, venue, withdrawal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.sources.types import FetchedPaper
from bot.summary.sentences import make_segmenter, split_sentences

CODE_LINK = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|zenodo\.org)"
    r"/[^\s<>()\[\]{}\"',;]+",
    re.IGNORECASE,
)
WITHDRAWN = re.compile(
    r"\b(?:this (?:paper|article|submission|manuscript) (?:has been|is) withdrawn"
    r"|withdrawn by the authors?|paper (?:has been )?withdrawn)\b",
    re.IGNORECASE,
)
SHOWN_SENTENCES = 3


@dataclass(frozen=True)
class Snapshot:
    """What a look at a paper's source saw: the fields follow-ups compare."""

    version: int = 0
    abstract: str = ""
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""  # of the published version (arXiv's doi field, bioRxiv's `published`)
    code: tuple[str, ...] = ()
    withdrawn: bool = False


@dataclass(frozen=True)
class Event:
    """One thing worth a reply in the paper's thread (rendered by `bot.followups.render`)."""

    kind: str  # "version:3" | "code" | "published" | "withdrawn"
    version: int = 0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    comment: str = ""  # the new comment, when it changed
    links: tuple[str, ...] = ()
    venue: str = ""
    doi: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # Crossref: journal, date, title

    @property
    def family(self) -> str:
        """The kind without its version ("version:3" → "version"), as channels switch it."""
        return self.kind.partition(":")[0]


def code_links(*texts: str) -> tuple[str, ...]:
    """GitHub, GitLab, Hugging Face and Zenodo links in the texts, in order, without repeats."""
    found: dict[str, None] = {}
    for text in texts:
        for match in CODE_LINK.finditer(text or ""):
            found.setdefault(match.group(0).rstrip(".").rstrip("/"), None)
    return tuple(found)


def snapshot_of(paper: FetchedPaper, published_doi: str = "") -> Snapshot:
    """A source's record of a paper as a snapshot (arXiv's DOI is the published one)."""
    withdrawn = bool(WITHDRAWN.search(paper.comment) or WITHDRAWN.search(paper.abstract[:300]))
    return Snapshot(
        version=paper.version or 0,
        abstract=paper.abstract,
        comment=paper.comment,
        journal_ref=paper.journal_ref,
        doi=published_doi or (paper.doi if paper.source == "arxiv" and paper.doi else ""),
        code=code_links(paper.abstract, paper.comment),
        withdrawn=withdrawn,
    )


def events(old: Snapshot, new: Snapshot) -> list[Event]:
    """The follow-ups `new` calls for, compared with what was seen before (`old`)."""
    found: list[Event] = []
    if new.withdrawn and not old.withdrawn:
        return [Event("withdrawn", version=new.version, comment=new.comment)]
    if new.version > old.version:
        added, removed = sentence_diff(old.abstract, new.abstract)
        comment = new.comment if new.comment != old.comment else ""
        found.append(Event(f"version:{new.version}", new.version, added, removed, comment))
    links = tuple(link for link in new.code if link not in old.code)
    if links:
        found.append(Event("code", new.version, links=links))
    if (new.doi and new.doi != old.doi) or (new.journal_ref and not old.journal_ref):
        found.append(Event("published", new.version, venue=new.journal_ref, doi=new.doi))
    return found


def sentence_diff(old: str, new: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Sentences of `new` that `old` lacks, and of `old` that `new` lacks (by their words)."""
    segmenter = make_segmenter()
    before = split_sentences(segmenter, old) if old else []
    after = split_sentences(segmenter, new) if new else []
    known_before = {_words(s) for s in before}
    known_after = {_words(s) for s in after}
    added = tuple(s for s in after if _words(s) not in known_before)
    removed = tuple(s for s in before if _words(s) not in known_after)
    return added, removed


def _words(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def merged(old: Snapshot, new: Snapshot) -> Snapshot:
    """What to remember after a look: the new state, keeping what a source does not repeat."""
    return Snapshot(
        version=max(old.version, new.version),
        abstract=new.abstract or old.abstract,
        comment=new.comment,
        journal_ref=new.journal_ref or old.journal_ref,
        doi=new.doi or old.doi,
        code=tuple(dict.fromkeys((*old.code, *new.code))),
        withdrawn=old.withdrawn or new.withdrawn,
    )
