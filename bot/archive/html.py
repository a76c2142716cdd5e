"""An archive page as one self-contained HTML file: inline CSS, no scripts, everything escaped.

Every piece of paper text goes through `html.escape` (quotes too) and every attribute value
is quoted; only https links become `<a href>` (anything else is shown as text). A Content
Security Policy forbids scripts and external loads outright, so even a renderer mistake
could not run code. Folds are `<details><summary>`, which need no script.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.archive.links import safe_url, slug
from bot.archive.model import ArchivePage, ArchivePaper
from bot.i18n import labels
from bot.summary.types import SECTION_FIELDS

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'"
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{font-size:1.1rem}
.meta,.count{color:#666}.one-line{font-style:italic}article{margin:0 0 1.5rem}
details{background:#f7f7f7;border-radius:6px;padding:.4rem .8rem}summary{cursor:pointer}
dt{font-weight:600}dd{margin:0 0 .5rem 0}nav ul{padding-left:1.2rem}a{color:#0b5cad}
""".strip()


def text(value: str) -> str:
    """Escaped text content."""
    return escape(" ".join(value.split()), quote=True)


def anchor(label: str, url: str | None) -> str:
    """A link when the URL is https, else the label and the URL as escaped text."""
    safe = safe_url(url)
    if safe is not None:
        return f'<a href="{escape(safe, quote=True)}" rel="noopener noreferrer">{label}</a>'
    return f"{label} ({text(url)})" if url else label


def document(title: str, body: Sequence[str], language: str = "en") -> str:
    """A complete HTML document around `body` lines."""
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language, quote=True)}">',
        '<head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>", ""])


def details(paper: ArchivePaper, language: str) -> list[str]:
    """The fold: summary fields, authors, categories, links and the abstract."""
    t, s = labels(language), paper.summary
    rows = [(t[name], text(getattr(s, name))) for name in SECTION_FIELDS if getattr(s, name)]
    rows.append((t["export_authors"], text(", ".join(paper.authors))))
    cats = text(", ".join(paper.categories or (paper.primary_category,)))
    announced = text(t["export_announced"].format(date=paper.digest_date.isoformat()))
    rows.append((t["export_categories"], f"{cats} · {announced}"))
    links = [anchor("abs", paper.abs_url)]
    if paper.pdf_url:
        links.append(anchor("pdf", paper.pdf_url))
    rows.append((t["export_links"], " · ".join(links)))
    rows.append((t["export_abstract"], text(paper.abstract)))
    items = [f"<dt>{text(name)}</dt><dd>{value}</dd>" for name, value in rows]
    fold = f"<summary>{text(t['export_details'])}</summary>"
    return ["<details>", fold, "<dl>", *items, "</dl>", "</details>"]


def article(paper: ArchivePaper, language: str) -> list[str]:
    """One paper: numbered linked title, one-line summary, score and keywords, the fold."""
    t, s = labels(language), paper.summary
    lines = [
        f'<article class="paper" id="paper-{paper.number}">',
        f"<h3>{paper.number}. {anchor(text(paper.title), paper.abs_url)}</h3>",
    ]
    if s.one_line:
        lines.append(f'<p class="one-line">{text(s.one_line)}</p>')
    meta = f"{text(t['score'])}: {s.score}/100"
    if s.keywords:
        meta += f" · {text(t['keywords'])}: {text(', '.join(s.keywords))}"
    lines.append(f'<p class="meta">{meta}</p>')
    return [*lines, *details(paper, language), "</article>"]


def to_html(page: ArchivePage, *, back: str | None = None) -> str:
    """The page as a self-contained HTML document; `back` is a relative link to an index."""
    t = labels(page.language)
    title = f"{t['digest_title'].format(date=page.period)} · {page.channel}"
    body = [f"<header><h1>{text(title)}</h1>"]
    if back is not None:
        body.append(f'<p><a href="{escape(back, quote=True)}">← {text(t["export_back"])}</a></p>')
    count = text(t["export_papers"].format(count=len(page.papers)))
    body.append(f'<p class="meta">{count}</p></header>')
    taken: set[str] = set()
    ids = [slug(f"cat-{s.category}", taken) for s in page.sections]
    toc = [f'<li><a href="#{i}">{text(s.category)}</a> <span class="count">({s.count})</span></li>'
           for i, s in zip(ids, page.sections, strict=True)]  # fmt: skip
    contents = f'<nav class="toc"><h2>{text(t["export_contents"])}</h2>'
    body += [contents, "<ul>", *toc, "</ul></nav>", "<main>"]
    for section_id, section in zip(ids, page.sections, strict=True):
        body.append(f'<section id="{section_id}" data-count="{section.count}">')
        count = f'<span class="count">({section.count})</span>'
        body.append(f"<h2>{text(section.category)} {count}</h2>")
        for paper in section.papers:
            body += article(paper, page.language)
        body.append("</section>")
    body.append("</main>")
    return document(title, body, page.language)
