"""Neutral Markdown for a digest: the header message and one message per paper."""

from __future__ import annotations

import re

from bot.digest.model import Digest, DigestPaper
from bot.i18n import LABELS, labels
from bot.summary.types import SECTION_FIELDS, Summary

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
MAX_AUTHORS = 3
LABELS_EN = LABELS["en"]


def lead_line(summary: Summary) -> str:
    """The paper's one-liner, which every renderer shows as the paper's first line."""
    return " ".join(summary.one_line.split())


def summary_fields(summary: Summary) -> tuple[str, ...]:
    """The SECTION_FIELDS to show under the title: non-empty, and no tl;dr that only
    repeats the one-liner already shown first."""
    lead = lead_line(summary)
    return tuple(
        name
        for name in SECTION_FIELDS
        if getattr(summary, name) and not (name == "tldr" and getattr(summary, name) == lead)
    )


def escape_markdown(text: str) -> str:
    """Make paper text inert in Markdown: no emphasis, links, HTML or mentions."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def trim_authors(authors: tuple[str, ...], et_al: str = "et al.") -> str:
    """The first authors, then "et al." when there are more."""
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:MAX_AUTHORS]) + f" {et_al}"


def summary_line(digest: Digest) -> str:
    """ "1 new paper (of 3 that matched your topics)"; new versions are counted apart."""
    t = labels(digest.language)
    replaced = sum(p.is_replacement for p in digest.papers)
    new = len(digest.papers) - replaced
    parts = []
    for count, name in ((new, "count_new"), (replaced, "count_versions")):
        if count or (name == "count_new" and not replaced):
            key = f"{name}_one" if count == 1 else f"{name}_many"
            parts.append(t.get(key, LABELS_EN[key]).format(count=count))
    of = t.get("count_of", LABELS_EN["count_of"]).format(matched=digest.matched)
    return t.get("count_and", LABELS_EN["count_and"]).join(parts) + of


def header_markdown(digest: Digest) -> str:
    """The digest's first message: date, counts by category, themes and notes."""
    t = labels(digest.language)
    lines = [f"**{t['digest_title'].format(date=digest.digest_date.isoformat())}**"]
    lines.append(summary_line(digest))
    lines.append(" · ".join(f"{s.category} ({s.count})" for s in digest.sections))
    if digest.themes:
        lines.append(f"\n**{t['themes']}**")
        lines.extend(f"- {escape_markdown(theme)}" for theme in digest.themes)
    lines.extend(f"_{escape_markdown(note)}_" for note in digest.notes)
    return "\n".join(lines)


def paper_markdown(paper: DigestPaper, language: str) -> str:
    """One paper's message: one-liner, linked title, authors, category, score, summary fields."""
    t = labels(language)
    s = paper.summary
    title = f"**{paper.number}. [{escape_markdown(paper.title)}]({paper.abs_url})**"
    tag = f" ({t['replaced']} v{paper.version})" if paper.is_replacement else ""
    meta = " · ".join(
        (
            escape_markdown(trim_authors(paper.authors, t["et_al"])),
            paper.primary_category,
            f"{t['relevance']} {paper.relevance:.0f}/100",
        )
    )
    lead = [escape_markdown(lead_line(s))] if lead_line(s) else []
    lines = [*lead, title + tag, meta]
    if paper.reason:
        lines.append(f"_{escape_markdown(paper.reason.replace('*', ''))}_")
    lines.append("")
    for name in summary_fields(s):
        lines.append(f"**{t[name]}:** {escape_markdown(getattr(s, name))}")
    if s.keywords:
        lines.append(f"**{t['keywords']}:** {escape_markdown(', '.join(s.keywords))}")
    rating = f"({escape_markdown(s.summarizer)}'s quality rating): {s.score}/100"
    lines.append(f"**{t['score']}** {rating}")
    links = [f"[abs]({paper.abs_url})"] + ([f"[pdf]({paper.pdf_url})"] if paper.pdf_url else [])
    lines.append(" · ".join(links))
    return "\n".join(lines)
