"""Plain-text rendering of the core's messages for a terminal (pure functions)."""

from __future__ import annotations

import re
import textwrap

from bot.digest.model import Digest, DigestPaper
from bot.digest.render import lead_line, summary_fields, summary_line, trim_authors
from bot.i18n import labels

WIDTH = 100
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]<>#|~])")


def plain(text: str) -> str:
    """Neutral Markdown as terminal text: bold markers and escapes removed."""
    return MARKDOWN_ESCAPE.sub(r"\1", text.replace("**", ""))


def render_header(digest: Digest) -> str:
    """The digest's header as plain text."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    lines = [
        f"=== {title} ===",
        summary_line(digest),
    ]
    lines.append(" · ".join(f"{s.category} ({s.count})" for s in digest.sections))
    if digest.themes:
        lines.append(f"{t['themes']}:")
        lines.extend(f"  - {theme}" for theme in digest.themes)
    lines.extend(f"Note: {note}" for note in digest.notes)
    return "\n".join(lines)


def render_section(category: str, count: int) -> str:
    """A category heading inside a digest."""
    return f"\n--- {category} ({count}) ---"


def render_paper(paper: DigestPaper, language: str) -> str:
    """One paper as plain text, wrapped for a terminal."""
    t = labels(language)
    s = paper.summary
    tag = f" [{t['replaced']} v{paper.version}]" if paper.is_replacement else ""
    lines = [lead_line(s)] if lead_line(s) else []
    lines.append(f"[{paper.number}] {paper.title}{tag}")
    meta = (
        f"{trim_authors(paper.authors, t['et_al'])} · {paper.primary_category} · "
        f"{t['relevance']} {paper.relevance:.0f}/100"
    )
    lines.append(_indent(meta))
    if paper.reason:
        lines.append(_indent(f"why: {paper.reason.replace('*', '')}"))
    for name in summary_fields(s):
        lines.append(_indent(f"{t[name]}: {getattr(s, name)}"))
    if s.keywords:
        lines.append(_indent(f"{t['keywords']}: {', '.join(s.keywords)}"))
    lines.append(_indent(f"{t['score']} ({s.summarizer}'s quality rating): {s.score}/100"))
    links = paper.abs_url + (f" · {paper.pdf_url}" if paper.pdf_url else "")
    lines.append(_indent(links))
    return "\n".join(lines)


def _indent(text: str) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent="    ",
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )
