"""Archive pages built from real deliveries of the recorded quant-ph day: structure and order."""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from bot.archive.html import to_html
from bot.archive.load import load_period, parse_week
from bot.archive.markdown import github_anchor, to_markdown
from bot.archive.model import ArchivePage
from bot.models import Channel
from bot.posts import PaperPost
from bot.store.db import Database
from bot.summary.offline import OfflineSummarizer
from tests.jobs.conftest import PlatformRecorder

DAY = (date(2025, 4, 28), date(2025, 4, 28))


async def page_for(db: Database, channel: Channel, period: tuple[date, date]) -> ArchivePage:
    async with db.session() as session:
        return await load_period(session, channel, period, OfflineSummarizer())


def assert_inert(tree: HTMLParser) -> None:
    """No scripts, no event handlers, no links but https, in-page anchors and relative paths."""
    assert not tree.css("script, iframe, object, embed, img, link, form")
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), (node.tag, name)
            if name in ("href", "src", "action"):
                assert value is not None, name
                assert value.startswith(("https://", "#")) or ":" not in value, value  # relative


def check_structure(tree: HTMLParser) -> list[Node]:
    """TOC counts equal the sections' paper counts; each paper has a fold; returns papers."""
    toc = {a.attributes["href"]: a.parent for a in tree.css("nav.toc li > a")}
    sections = tree.css("main > section")
    assert [f"#{s.attributes['id']}" for s in sections] == list(toc)
    for section in sections:
        count = len(section.css("article.paper"))
        entry = toc[f"#{section.attributes['id']}"]
        assert entry is not None and entry.css_first(".count").text() == f"({count})"
        assert section.attributes["data-count"] == str(count)
    papers = tree.css("main article.paper")
    for paper in papers:
        fold = paper.css_first("details")
        assert fold is not None and fold.css_first("summary").text() == "Details"
        assert fold.css_first("dl") is not None
    return papers


async def test_html_page_of_a_delivered_day(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, platform = delivered
    page = await page_for(db, channel, DAY)
    tree = HTMLParser(to_html(page))
    papers = check_structure(tree)
    assert len(papers) == 10
    assert_inert(tree)
    posted = {m.paper.title for m in platform.posts["lab"] if isinstance(m, PaperPost)}
    shown = [p.css_first("h3 a").text() for p in papers]
    assert set(shown) == posted
    assert [p.title for p in page.papers] == shown
    assert all(p.css_first("p.one-line") is not None for p in papers)
    assert all("Score" in p.css_first("p.meta").text() for p in papers)
    assert tree.css_first("title").text().startswith("Papers for 2025-04-28")


async def test_papers_keep_delivered_order_and_cached_summaries(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, platform = delivered
    page = await page_for(db, channel, DAY)
    posted = [m.paper for m in platform.posts["lab"] if isinstance(m, PaperPost)]
    assert [p.key for p in page.papers] == [p.key for p in posted]  # same section order
    assert [p.summary.one_line for p in page.papers] == [p.summary.one_line for p in posted]


async def test_week_and_empty_periods(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    week = await page_for(db, channel, parse_week("2025-W18"))
    assert len(week.papers) == 10 and week.period == "2025-04-28 – 2025-05-04"
    empty = await page_for(db, channel, parse_week("2025-W19"))
    assert empty.papers == ()
    assert len(check_structure(HTMLParser(to_html(empty)))) == 0
    assert "No papers were delivered" in to_markdown(empty)


async def test_markdown_page_of_a_delivered_day(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    page = await page_for(db, channel, DAY)
    markdown = to_markdown(page)
    toc = re.findall(r"^- \[(.+)\]\(#(.+)\) \((\d+)\)$", markdown, re.MULTILINE)
    headings = re.findall(r"^## (?!Contents)(.+)$", markdown, re.MULTILINE)
    assert [name for name, _, _ in toc] == headings
    assert [anchor for _, anchor, _ in toc] == [github_anchor(h) for h in headings]
    blocks = re.split(r"^## ", markdown, flags=re.MULTILINE)[2:]
    for (_, _, count), block in zip(toc, blocks, strict=True):
        assert len(re.findall(r"^### \d+\. ", block, re.MULTILINE)) == int(count)
    assert markdown.count("<details>") == markdown.count("</details>") == 10
    assert markdown.count("<summary>Details</summary>\n\n") == 10  # blank line: Markdown inside
    assert len(re.findall(r"^### \d+\. \[.+\]\(https://arxiv\.org/abs/", markdown, re.M)) == 10
