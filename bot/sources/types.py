"""What every source hands to the core: fetched papers and the outcome of one fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True)
class FetchedPaper:
    """One work as a source reported it, before it is stored.

    `title` and `abstract` are the source's original text; display normalization happens
    in `bot.text`. `key` identifies the work across sources and days:
    `arxiv:<id without version>`, `doi:<lower-case doi>` or `url:<link>`.
    """

    source: str  # "arxiv" | "biorxiv" | "medrxiv" | "journal"
    key: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    announced_on: date
    announce_type: str = "new"  # one of ANNOUNCE_TYPES; journals and bioRxiv use "new"
    categories: tuple[str, ...] = ()
    primary_category: str = ""
    arxiv_id: str | None = None  # without version, e.g. "2504.17830"
    version: int | None = None
    doi: str | None = None
    abs_url: str = ""
    pdf_url: str | None = None
    feed: str | None = None  # the feed URL a journal item came from
    comment: str = ""  # arXiv's comment field (pages, venue, code links, "withdrawn")
    journal_ref: str = ""  # arXiv's journal reference, once the authors add one


@dataclass(frozen=True)
class FetchOutcome:
    """The result of fetching one URL (or one paginated query) from a source.

    status: "ok", "not_modified", "partial" (some entries kept, some failed) or "failed".
    `etag`/`last_modified` are the validators to store for the next conditional GET; they
    are only set when the whole response was parsed, so a partial fetch is retried in full.
    """

    source: str
    url: str
    status: str
    papers: tuple[FetchedPaper, ...] = ()
    errors: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    feed_date: date | None = None  # the feed's own announcement date, when it says one
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the fetch did not fail outright."""
        return self.status in ("ok", "not_modified", "partial")
