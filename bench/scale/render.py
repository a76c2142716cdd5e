"""Rendering a synthetic day as the documents the sources serve, in the recorded formats."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from bench.scale.pool import ARXIV_RSS, biorxiv_template
from bench.scale.synth import Day, SynthPaper

RSS_BASE = "http://rss.arxiv.org/rss/"
BIORXIV_PAGE = 100
_ITEM_RE = re.compile(r"\n    <item>.*</item>", re.DOTALL)
_RECORDED_CATEGORY = "quant-ph"

# The recorded item's structure, field for field (see arxiv_rss_quant-ph_2025-04-28.xml).
ITEM = """
    <item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/{ident}</link>
      <description>arXiv:{ident}v{version} Announce Type: {kind} 
Abstract: {abstract}</description>
      <guid isPermaLink="false">oai:arXiv.org:{ident}v{version}</guid>
{categories}
      <pubDate>{pub_date}</pubDate>
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{authors}</dc:creator>
    </item>"""  # noqa: W291 (the recorded description has this trailing space)


@dataclass(frozen=True)
class Documents:
    """The day as served: arXiv RSS feeds (url, bytes) and bioRxiv `details` pages (bytes)."""

    arxiv_feeds: tuple[tuple[str, bytes], ...]
    biorxiv_pages: tuple[bytes, ...]
    items: int  # feed items and records, cross-listed papers counted once per feed


def _pub_date(day: date) -> str:
    return day.strftime("%a, %d %b %Y 00:00:00 -0500")


def _kind(paper: SynthPaper, category: str) -> str:
    primary = category == paper.categories[0]
    if paper.version > 1:
        return "replace" if primary else "replace-cross"
    return "new" if primary else "cross"


def render_item(paper: SynthPaper, category: str, day: date) -> str:
    """One RSS item for `paper` as listed in `category`'s feed."""
    cats = "\n".join(f"      <category>{escape(c)}</category>" for c in paper.categories)
    return ITEM.format(
        title=escape(paper.title), ident=paper.ident, version=paper.version,
        kind=_kind(paper, category), abstract=escape(paper.abstract), categories=cats,
        pub_date=_pub_date(day), authors=escape(", ".join(paper.authors)),
    )  # fmt: skip


def _rss_frame(day: date) -> tuple[str, str]:
    """The recorded document before and after its items, dated `day`."""
    text = ARXIV_RSS.read_text()
    head, tail = _ITEM_RE.split(text, maxsplit=1)
    head = re.sub(r"<pubDate>[^<]*</pubDate>", f"<pubDate>{_pub_date(day)}</pubDate>", head)
    return head, tail


def render_feed(category: str, papers: list[SynthPaper], day: date) -> bytes:
    """The RSS document of one category's feed."""
    head, tail = _rss_frame(day)
    head = head.replace(_RECORDED_CATEGORY, category)
    items = "".join(render_item(p, category, day) for p in papers)
    return (head + items + tail).encode()


def arxiv_feeds(papers: tuple[SynthPaper, ...], day: date) -> list[tuple[str, bytes]]:
    """One feed per category; a cross-listed paper appears in every feed it is listed in."""
    by_category: dict[str, list[SynthPaper]] = defaultdict(list)
    for paper in papers:
        for category in paper.categories:
            by_category[category].append(paper)
    return [
        (RSS_BASE + category, render_feed(category, listed, day))
        for category, listed in sorted(by_category.items())
    ]


def _record(template: dict[str, object], paper: SynthPaper, day: date) -> dict[str, object]:
    doi = f"10.1101/{paper.ident}"
    authors = "; ".join(_surname_first(a) for a in paper.authors)
    return {
        **template, "title": paper.title, "authors": authors, "doi": doi,
        "date": day.isoformat(), "version": str(paper.version), "category": paper.categories[0],
        "jatsxml": f"https://www.biorxiv.org/content/early/{day:%Y/%m/%d}/{paper.ident}.source.xml",
        "abstract": paper.abstract, "published": "NA", "server": "bioRxiv",
    }  # fmt: skip


def _surname_first(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]}, {' '.join(p[0] + '.' for p in parts[:-1])}" if len(parts) > 1 else name


def biorxiv_pages(papers: tuple[SynthPaper, ...], day: date) -> list[bytes]:
    """The `details` JSON pages of the day, BIORXIV_PAGE records a page."""
    shape = biorxiv_template()
    record, message = shape["record"], shape["message"]
    assert isinstance(record, dict) and isinstance(message, dict)
    pages = []
    for cursor in range(0, len(papers), BIORXIV_PAGE):
        chunk = papers[cursor : cursor + BIORXIV_PAGE]
        head = {**message, "interval": f"{day}:{day}", "cursor": cursor, "count": len(chunk),
                "count_new_papers": str(len(papers)), "total": str(len(papers))}  # fmt: skip
        body = {"messages": [head], "collection": [_record(record, p, day) for p in chunk]}
        pages.append(json.dumps(body).encode())
    return pages


def render_day(day: Day, on: date) -> Documents:
    """Every document of the day."""
    feeds = arxiv_feeds(day.arxiv, on)
    items = sum(len(p.categories) for p in day.arxiv) + len(day.biorxiv)
    return Documents(tuple(feeds), tuple(biorxiv_pages(day.biorxiv, on)), items)
