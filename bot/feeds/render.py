"""Rendering a channel's delivered papers as Atom (with feedgen) and as JSON Feed 1.1.

Each item is one delivered paper: its link, the digest date it came with (as published), its
one-line summary, and as content the structured summary, authors and abstract (escaped HTML
for Atom, the same HTML and plain text for JSON Feed). Newest first. Neither format carries
anything the channel was not sent.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from feedgen.feed import FeedGenerator

from bot.archive.model import ArchivePaper
from bot.i18n import labels
from bot.summary.types import SUMMARY_TEXT_FIELDS

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "paperbot"


def _published(paper: ArchivePaper) -> datetime:
    return datetime.combine(paper.digest_date, time(0), UTC)


def item_id(paper: ArchivePaper) -> str:
    """A stable id for the paper's item: its abstract page, else its key as a URN."""
    return paper.abs_url or f"urn:paperbot:{paper.key}"


def content_html(paper: ArchivePaper, language: str) -> str:
    """The structured summary, authors and abstract as escaped HTML."""
    t = labels(language)
    parts = []
    for name in SUMMARY_TEXT_FIELDS:
        text = getattr(paper.summary, name)
        if text:
            parts.append(f"<p><strong>{html.escape(t[name])}:</strong> {html.escape(text)}</p>")
    if paper.summary.keywords:
        words = ", ".join(paper.summary.keywords)
        parts.append(f"<p><strong>{html.escape(t['keywords'])}:</strong> {html.escape(words)}</p>")
    if paper.authors:
        parts.append(f"<p>{html.escape(', '.join(paper.authors))}</p>")
    parts.append(f"<blockquote>{html.escape(paper.abstract)}</blockquote>")
    if paper.pdf_url:
        parts.append(f'<p><a href="{html.escape(paper.pdf_url)}">PDF</a></p>')
    return "\n".join(parts)


def content_text(paper: ArchivePaper, language: str) -> str:
    """The same content as plain text."""
    t = labels(language)
    lines = [
        f"{t[name]}: {getattr(paper.summary, name)}"
        for name in SUMMARY_TEXT_FIELDS
        if getattr(paper.summary, name)
    ]
    if paper.summary.keywords:
        lines.append(f"{t['keywords']}: {', '.join(paper.summary.keywords)}")
    if paper.authors:
        lines.append(", ".join(paper.authors))
    return "\n".join([*lines, "", paper.abstract])


def atom_feed(
    title: str, feed_url: str, papers: Sequence[ArchivePaper], language: str, updated: datetime
) -> bytes:
    """An Atom 1.0 document of these papers (newest first), served at `feed_url`."""
    generator = FeedGenerator()
    generator.id(feed_url)
    generator.title(title)
    generator.link(href=feed_url, rel="self")
    generator.language(language)
    generator.updated(updated)
    generator.generator(GENERATOR)
    for paper in reversed(_newest_first(papers)):  # feedgen lists the last added first
        entry = generator.add_entry()
        entry.id(item_id(paper))
        entry.title(paper.title)
        if paper.abs_url:
            entry.link(href=paper.abs_url)
        entry.published(_published(paper))
        entry.updated(_published(paper))
        for name in paper.authors[:20]:
            entry.author(name=name)
        for category in paper.categories or (paper.primary_category,):
            if category:
                entry.category(term=category)
        entry.summary(paper.summary.one_line or paper.summary.tldr or paper.title)
        entry.content(content_html(paper, language), type="html")
    return bytes(generator.atom_str(pretty=True))


def json_feed(
    title: str, feed_url: str, papers: Sequence[ArchivePaper], language: str
) -> dict[str, Any]:
    """A JSON Feed 1.1 object of these papers (newest first), served at `feed_url`."""
    items = [
        {
            "id": item_id(paper),
            "url": paper.abs_url or None,
            "title": paper.title,
            "summary": paper.summary.one_line or paper.summary.tldr,
            "content_html": content_html(paper, language),
            "content_text": content_text(paper, language),
            "date_published": _published(paper).isoformat(),
            "authors": [{"name": name} for name in paper.authors[:20]],
            "tags": list(paper.summary.keywords),
            "_paperbot": {"summary": paper.summary.to_dict(), "key": paper.key},
        }
        for paper in _newest_first(papers)
    ]
    for item in items:
        if item["url"] is None:
            del item["url"]
    return {"version": JSON_FEED_VERSION, "title": title, "feed_url": feed_url,
            "language": language, "items": items}  # fmt: skip


def _newest_first(papers: Sequence[ArchivePaper]) -> list[ArchivePaper]:
    return sorted(papers, key=lambda p: (p.digest_date, -p.number), reverse=True)
