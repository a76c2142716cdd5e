"""An archive page as GitHub-flavoured Markdown: a contents list, then each paper with a fold.

Paper text is escaped with the digest's `escape_markdown` (plus `&`, so entities stay text)
and kept on one line, so it can add no markup, link or HTML; only https links are linked.
Section anchors follow GitHub's heading ids (lower case, punctuation dropped, spaces to
hyphens), so the contents links work on github.com.
"""

from __future__ import annotations

import re

from bot.archive.links import safe_url
from bot.archive.model import ArchivePage, ArchivePaper, ArchiveSection
from bot.digest.render import escape_markdown
from bot.i18n import labels
from bot.summary.types import SECTION_FIELDS

GITHUB_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def inline(text: str) -> str:
    """Paper text made inert and single-line for Markdown."""
    return escape_markdown(" ".join(text.split())).replace("&", "&amp;")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading with this text."""
    return GITHUB_DROP.sub("", heading.strip().lower()).replace(" ", "-")


def link(label: str, url: str | None) -> str:
    """A Markdown link when the URL is safe, else the label and the URL as plain text."""
    safe = safe_url(url)
    if safe is not None:
        return f"[{label}]({safe})"
    return f"{label} ({inline(url)})" if url else label


def toc(page: ArchivePage) -> list[str]:
    """The contents: one line per category with its count."""
    t = labels(page.language)
    count = t["export_papers"].format(count=len(page.papers))
    lines = [f"## {t['export_contents']} ({count})", ""]
    lines += [f"- [{s.category}](#{github_anchor(s.category)}) ({s.count})" for s in page.sections]
    return [*lines, ""]


def paper_block(paper: ArchivePaper, language: str) -> list[str]:
    """One paper: heading, one-line summary, score and keywords, then the details fold."""
    t, s = labels(language), paper.summary
    lines = [f"### {paper.number}. {link(inline(paper.title), paper.abs_url)}", ""]
    if s.one_line:
        lines += [f"> {inline(s.one_line)}", ""]
    meta = [f"**{t['score']}:** {s.score}/100"]
    if s.keywords:
        meta.append(f"**{t['keywords']}:** {inline(', '.join(s.keywords))}")
    lines += [" · ".join(meta), "", "<details>", f"<summary>{t['export_details']}</summary>", ""]
    for name in SECTION_FIELDS:
        value = getattr(s, name)
        if value:
            lines += [f"**{t[name]}:** {inline(value)}", ""]
    lines += [f"**{t['export_authors']}:** {inline(', '.join(paper.authors))}", ""]
    cats = inline(", ".join(paper.categories or (paper.primary_category,)))
    announced = t["export_announced"].format(date=paper.digest_date.isoformat())
    lines += [f"**{t['export_categories']}:** {cats} · {announced}", ""]
    links = [link("abs", paper.abs_url)] + ([link("pdf", paper.pdf_url)] if paper.pdf_url else [])
    lines += [f"**{t['export_links']}:** {' · '.join(links)}", ""]
    lines += [f"**{t['export_abstract']}:** {inline(paper.abstract)}", "", "</details>", ""]
    return lines


def section_block(section: ArchiveSection, language: str) -> list[str]:
    """A category heading and its papers."""
    lines = [f"## {section.category}", ""]
    for paper in section.papers:
        lines += paper_block(paper, language)
    return lines


def to_markdown(page: ArchivePage) -> str:
    """The whole page as GitHub-flavoured Markdown."""
    t = labels(page.language)
    title = t["digest_title"].format(date=page.period)
    lines = [f"# {inline(title)} · {inline(page.channel)}", ""]
    if not page.sections:
        return "\n".join([*lines, f"_{t['export_empty']}_", ""])
    lines += toc(page)
    for section in page.sections:
        lines += section_block(section, page.language)
    return "\n".join(lines)
