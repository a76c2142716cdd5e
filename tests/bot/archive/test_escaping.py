"""Paper text can never add markup, script or links to an archive page (HTML or Markdown)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from bot.archive.html import to_html
from bot.archive.markdown import to_markdown
from bot.archive.model import ArchivePage, ArchivePaper, group_sections
from bot.summary.types import Summary
from tests.bot.archive.test_export import assert_inert, check_structure

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    SCRIPT,
    BREAKOUT,
    "</details></article><script>x()</script>",
    "' onmouseover='x()",
    "[click](javascript:alert(1)) **bold** _it_ `code` # head | pipe ~~s~~ <b>b</b> &lt;i&gt;",
    "<!-- comment --> <style>body{display:none}</style> ]]> <![CDATA[x]]>",
]
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>x</script>",
    "http://insecure.example/x",
    'https://ok.example/"onclick="x',
    "vbscript:x",
]


def summary(text: str) -> Summary:
    return Summary(one_line=text, tldr=text, motivation=text, method=text, result=text,
                   conclusion=text, keywords=(text, "k2"), score=50, score_reason="",
                   summarizer="offline", model="", language="en", prompt_version="1")  # fmt: skip


def paper(text: str, url: str = "https://arxiv.org/abs/2504.00001", **kw: object) -> ArchivePaper:
    values: dict[str, object] = dict(
        number=0, digest_date=date(2025, 4, 28), paper_id=1, key="arxiv:2504.00001", title=text,
        authors=(text, "Ada"), abstract=text, primary_category="quant-ph",
        categories=("quant-ph", text), abs_url=url, pdf_url=url, summary=summary(text),
    )  # fmt: skip
    values.update(kw)
    return ArchivePaper(**values)  # type: ignore[arg-type]


def page(*papers: ArchivePaper, channel: str = "slack:C1") -> ArchivePage:
    first = date(2025, 4, 28)
    return ArchivePage(channel, first, first, "en", group_sections(list(papers)))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_text_in_html(text: str) -> None:
    tree = HTMLParser(to_html(page(paper(text), channel=text)))
    assert_inert(tree)
    assert len(check_structure(tree)) == 1
    assert not tree.css("body b, body i, body style, body img") and len(tree.css("style")) == 1
    article = tree.css_first("article.paper")
    assert article.css_first("h3 a").text() == " ".join(text.split())  # shown, as text
    assert " ".join(text.split()) in article.css_first("details").text()


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_https_links_are_clickable(url: str) -> None:
    tree = HTMLParser(to_html(page(paper("A title", url=url))))
    assert_inert(tree)
    hrefs = [a.attributes.get("href") for a in tree.css("article a")]
    assert hrefs == []
    assert "A title" in tree.css_first("article h3").text()


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_inert_in_markdown(text: str) -> None:
    markdown = to_markdown(page(paper(text), channel=text))
    tags = re.findall(r"(?<!\\)<(/?[a-z!][^\s>]*)", markdown)  # unescaped "<": real markup
    assert set(tags) <= {"details", "/details", "summary", "/summary"}, tags
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # a "[x](…)" in text stays text
    assert markdown.count("<details>") == markdown.count("</details>") == 1
    assert "**bold**" not in markdown.replace("\\*\\*bold\\*\\*", "")


@pytest.mark.parametrize("url", BAD_URLS)
def test_markdown_links_only_https(url: str) -> None:
    markdown = to_markdown(page(paper("A title", url=url)))
    assert f"]({url}" not in markdown
    assert "](javascript:" not in markdown.lower() and "](data:" not in markdown


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.sampled_from([*BAD_URLS, "https://arxiv.org/abs/1"]))
def test_any_text_and_url_stay_inert(text: str, url: str) -> None:
    html_page = to_html(page(replace(paper(text, url=url), authors=(text,))))
    tree = HTMLParser(html_page)
    assert_inert(tree)
    assert len(check_structure(tree)) == 1
    assert len(tree.css("details")) == 1 and len(tree.css("article")) == 1


@pytest.mark.parametrize(("language", "contents", "details"), [
    ("de", "Inhalt", "Details"), ("ja", "目次", "詳細"), ("fr", "Sommaire", "Détails"),
])  # fmt: skip
def test_export_pages_follow_the_channel_language(
    language: str, contents: str, details: str
) -> None:
    localized = replace(page(paper("Quanten")), language=language)
    html, markdown = to_html(localized), to_markdown(localized)
    for rendered in (html, markdown):
        assert contents in rendered and details in rendered
        assert "Contents" not in rendered and "Authors" not in rendered
    empty = replace(page(), language="de")
    assert "In diesem Zeitraum wurden keine Artikel zugestellt." in to_markdown(empty)
