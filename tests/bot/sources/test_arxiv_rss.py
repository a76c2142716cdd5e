"""arXiv RSS/Atom parsing on the recorded quant-ph feed, and fetching it over loopback."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from email.utils import parsedate_to_datetime

import pytest
from aiohttp import web

from bot.sources.arxiv_rss import feed_url, fetch_arxiv_rss, parse_arxiv_feed, split_description
from bot.sources.http import HttpFetcher
from bot.text import display_text
from tests.bot.sources.recorded import ARXIV_RSS, read
from tests.fakes.http_server import FakeHttpServer, Reply

FEED = read(ARXIV_RSS)
DC = "http://purl.org/dc/elements/1.1/"
ARXIV = "http://arxiv.org/schemas/atom"
ATOM = "http://www.w3.org/2005/Atom"


def _tree() -> ET.Element:
    return ET.fromstring(FEED)


def _serialize(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom_from_recorded(limit: int = 5) -> bytes:
    """An rss.arxiv.org/atom-style document built from the first recorded RSS items."""
    ET.register_namespace("", ATOM)
    ET.register_namespace("arxiv", ARXIV)
    ET.register_namespace("dc", DC)
    channel = _tree().find("channel")
    assert channel is not None
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = channel.findtext("title")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(channel.findtext("lastBuildDate"))
    for item in channel.findall("item")[:limit]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item.findtext("guid")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.findtext("title")
        ET.SubElement(entry, f"{{{ATOM}}}link", href=item.findtext("link") or "")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = item.findtext("description")
        for cat in item.findall("category"):
            ET.SubElement(entry, f"{{{ATOM}}}category", term=cat.text or "")
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(item.findtext("pubDate"))
        kind = item.findtext(f"{{{ARXIV}}}announce_type")
        ET.SubElement(entry, f"{{{ARXIV}}}announce_type").text = kind
        ET.SubElement(entry, f"{{{DC}}}creator").text = item.findtext(f"{{{DC}}}creator")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _iso(rfc822: str | None) -> str:
    assert rfc822
    return parsedate_to_datetime(rfc822).isoformat()


@pytest.mark.parametrize(
    ("base", "cats", "url"),
    [
        ("https://rss.arxiv.org/rss/", ["cs.CL", "cs.LG"], "https://rss.arxiv.org/rss/cs.CL+cs.LG"),
        ("https://rss.arxiv.org/rss", ("quant-ph",), "https://rss.arxiv.org/rss/quant-ph"),
        ("https://rss.arxiv.org/atom/", [" cs.AI ", ""], "https://rss.arxiv.org/atom/cs.AI"),
    ],
)
def test_feed_url(base: str, cats: list[str], url: str):
    assert feed_url(base, cats) == url


def test_recorded_feed_counts():
    outcome = parse_arxiv_feed(FEED, "https://rss.arxiv.org/rss/quant-ph")
    assert outcome.status == "ok"
    assert outcome.errors == ()
    assert len(outcome.papers) == 81
    assert Counter(p.announce_type for p in outcome.papers) == {
        "new": 40,
        "cross": 10,
        "replace": 22,
        "replace-cross": 9,
    }
    assert outcome.feed_date == date(2025, 4, 28)
    assert outcome.etag is None
    assert len({p.key for p in outcome.papers}) == 81


def test_recorded_first_item_fields():
    paper = parse_arxiv_feed(FEED, "u").papers[0]
    assert paper.source == "arxiv"
    assert paper.key == "arxiv:2504.17830"
    assert paper.arxiv_id == "2504.17830"
    assert paper.version == 1
    assert paper.title == "Self-Adjoint Time Operator in a Weighted Energy Space"
    assert paper.authors == ("Radmir Kokoulin",)
    assert paper.abstract.startswith(r"We introduce a self-adjoint time operator \(T_w")
    assert "Announce Type" not in paper.abstract and "Abstract:" not in paper.abstract
    assert paper.categories == ("quant-ph",)
    assert paper.primary_category == "quant-ph"
    assert paper.abs_url == "https://arxiv.org/abs/2504.17830"
    assert paper.pdf_url == "https://arxiv.org/pdf/2504.17830v1"
    assert paper.announced_on == date(2025, 4, 28)  # 00:00 -0400: the local date, not UTC


def test_recorded_multi_author_cross_and_replace_items():
    papers = {p.arxiv_id: p for p in parse_arxiv_feed(FEED, "u").papers}
    two = papers["2504.17837"]
    assert two.authors == ("Youssef Kora", "Christoph Simon")
    assert two.categories == ("quant-ph", "physics.comp-ph")
    last = papers["2504.16424"]
    assert last.announce_type == "replace-cross"
    assert last.version == 2
    assert last.primary_category == "math-ph"
    assert last.pdf_url == "https://arxiv.org/pdf/2504.16424v2"
    assert all(p.authors and all(a.strip() for a in p.authors) for p in papers.values())
    assert max(len(p.authors) for p in papers.values()) == 71
    assert all(not p.abstract.startswith("arXiv:") for p in papers.values())
    escaped = [p for p in papers.values() if "0< \\delta" in p.abstract]
    assert len(escaped) == 1  # `&lt;` in the XML is the character `<` in the abstract


def test_announce_type_falls_back_to_description():
    stripped = re.sub(rb"<arxiv:announce_type>[^<]*</arxiv:announce_type>", b"", FEED)
    assert stripped.count(b"announce_type") == 0
    outcome = parse_arxiv_feed(stripped, "u")
    assert Counter(p.announce_type for p in outcome.papers) == {
        "new": 40,
        "cross": 10,
        "replace": 22,
        "replace-cross": 9,
    }


def test_split_description_handles_the_line_break():
    kind, abstract = split_description("arXiv:2504.17830v1 Announce Type: new \nAbstract: We x.")
    assert (kind, abstract) == ("new", "We x.")
    assert split_description("Just text") == (None, "Just text")


def test_atom_variant_parses_like_rss():
    atom = parse_arxiv_feed(atom_from_recorded(5), "https://rss.arxiv.org/atom/quant-ph")
    rss = parse_arxiv_feed(FEED, "u").papers[:5]
    assert atom.status == "ok"
    assert len(atom.papers) == 5
    for a, r in zip(atom.papers, rss, strict=True):
        assert (a.key, a.version, a.title, a.abstract) == (r.key, r.version, r.title, r.abstract)
        assert (a.authors, a.categories, a.announce_type) == (
            r.authors,
            r.categories,
            r.announce_type,
        )
        assert (a.announced_on, a.pdf_url, a.abs_url) == (r.announced_on, r.pdf_url, r.abs_url)
    assert atom.feed_date == date(2025, 4, 28)


def test_empty_weekend_feed_is_ok():
    root = _tree()
    channel = root.find("channel")
    assert channel is not None
    for item in channel.findall("item"):
        channel.remove(item)
    outcome = parse_arxiv_feed(_serialize(root), "u")
    assert outcome.status == "ok"
    assert outcome.papers == ()
    assert outcome.errors == ()
    assert outcome.feed_date == date(2025, 4, 28)


def test_truncated_feed_keeps_complete_entries():
    outcome = parse_arxiv_feed(FEED[:50000], "u")
    assert outcome.status == "partial"
    assert 20 < len(outcome.papers) < 81
    assert any("not well-formed" in e for e in outcome.errors)
    assert any("no arXiv id" in e for e in outcome.errors)  # the cut-off item
    full = {p.key: p for p in parse_arxiv_feed(FEED, "u").papers}
    assert all(full[p.key].title == p.title for p in outcome.papers)


@pytest.mark.parametrize(
    "body", [b"", b"not xml at all", b"<html><body>Oops</body></html>", b'{"a": 1}', FEED[:700]]
)
def test_garbage_fails_without_raising(body: bytes):
    outcome = parse_arxiv_feed(body, "u")
    assert outcome.status == "failed"
    assert outcome.papers == ()
    assert outcome.errors


def test_hostile_title_is_kept_and_displays_sanely():
    root = _tree()
    item = root.find("channel/item")
    assert item is not None
    hostile = "<!channel> a < b & c *bold* _x_ `code` <@U123>"
    title = item.find("title")
    assert title is not None
    title.text = hostile
    paper = parse_arxiv_feed(_serialize(root), "u").papers[0]
    assert paper.title == hostile
    assert display_text(paper.title) == hostile


def test_item_without_title_is_an_error():
    root = _tree()
    channel = root.find("channel")
    assert channel is not None
    first = channel.find("item")
    assert first is not None
    first.remove(first.find("title"))  # type: ignore[arg-type]
    outcome = parse_arxiv_feed(_serialize(root), "u")
    assert outcome.status == "partial"
    assert len(outcome.papers) == 80
    assert outcome.errors == ("entry 0: no title for arXiv:2504.17830",)


async def test_fetch_conditional_get_round_trip(http_server: FakeHttpServer, fetcher: HttpFetcher):
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"qp-1"':
            return web.Response(status=304, headers={"ETag": '"qp-1"'})
        return web.Response(
            body=FEED,
            content_type="application/rss+xml",
            headers={"ETag": '"qp-1"', "Last-Modified": "Mon, 28 Apr 2025 04:00:00 GMT"},
        )

    http_server.route("/rss/quant-ph+cs.LG", handler)
    base = f"{http_server.url}/rss/"
    first = await fetch_arxiv_rss(fetcher, base, ["quant-ph", "cs.LG"])
    assert first.status == "ok"
    assert len(first.papers) == 81
    assert first.url == f"{http_server.url}/rss/quant-ph+cs.LG"
    assert (first.etag, first.last_modified) == ('"qp-1"', "Mon, 28 Apr 2025 04:00:00 GMT")
    second = await fetch_arxiv_rss(
        fetcher, base, ["quant-ph", "cs.LG"], etag=first.etag, last_modified=first.last_modified
    )
    assert second.status == "not_modified"
    assert second.papers == ()
    assert second.etag == '"qp-1"'
    assert http_server.requests[1].headers["If-None-Match"] == '"qp-1"'
    assert http_server.requests[1].headers["If-Modified-Since"] == first.last_modified


async def test_fetch_truncated_body_sets_no_validators(
    http_server: FakeHttpServer, fetcher: HttpFetcher
):
    http_server.route("/rss/quant-ph", Reply(FEED[:50000], headers={"ETag": '"x"'}))
    outcome = await fetch_arxiv_rss(fetcher, http_server.url + "/rss", ["quant-ph"])
    assert outcome.status == "partial"
    assert outcome.papers
    assert outcome.etag is None and outcome.last_modified is None


async def test_fetch_server_error_fails_without_raising(
    http_server: FakeHttpServer, fetcher: HttpFetcher
):
    http_server.route("/rss/quant-ph", Reply("down", status=500))
    outcome = await fetch_arxiv_rss(fetcher, http_server.url + "/rss", ["quant-ph"])
    assert outcome.status == "failed"
    assert not outcome.ok
    assert outcome.errors == (f"HTTP 500 from {http_server.url}/rss/quant-ph after 4 attempts",)


async def test_fetch_retries_429_then_parses(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: object
):
    http_server.route(
        "/rss/quant-ph", Reply("", status=429, headers={"Retry-After": "5"}), Reply(FEED)
    )
    outcome = await fetch_arxiv_rss(fetcher, http_server.url + "/rss", ["quant-ph"])
    assert outcome.status == "ok"
    assert len(outcome.papers) == 81
    assert sleeps.calls == [5.0]  # type: ignore[attr-defined]


def test_item_cut_inside_its_last_element_is_dropped():
    start = FEED.index(b"<guid", 60000)
    cut = FEED.index(b"</dc:creator>", start) - 3
    outcome = parse_arxiv_feed(FEED[:cut], "u")
    assert outcome.status == "partial"
    assert len(outcome.papers) == 31
    assert outcome.errors[-1] == "entry 31: no authors for arXiv:2504.18334 (incomplete item?)"
