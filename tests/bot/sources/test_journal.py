"""Journal feeds: every recorded journal and bioRxiv RSS/Atom file, and fetching over loopback."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from aiohttp import web

from bot.sources.http import HttpFetcher
from bot.sources.journal import fetch_journal_feed, parse_journal_feed
from bot.sources.types import FetchOutcome
from bot.text import display_text
from tests.bot.sources.recorded import BIORXIV_RSS, JOURNAL_RSS, read
from tests.fakes.http_server import FakeHttpServer, Reply

TODAY = date(2030, 1, 1)
# file: (entries, entries with a DOI, the feed's title = primary_category)
COUNTS = {
    "bmc-bioinformatics_rss2_2025-04-13.xml": (5, 5, "Most Recent Articles: BMC Bioinformatics"),
    "nature_subject-bioinformatics_atom_2025-03-19.xml": (
        30,
        0,
        "Bioinformatics : nature.com subject feeds",
    ),
    "oup-bioinformatics_rss2_2025-03-22.xml": (4, 4, "Bioinformatics Open Access"),
    "plos-compbiol_atom_2025-04-13.xml": (4, 4, "PLOS Computational Biology: New Articles"),
    "science-twis_rss1-rdf_2017-06.xml": (69, 69, "Science twis"),
    "biorxiv_rss_bioinformatics_2025-04-13.rdf.xml": (
        30,
        30,
        "bioRxiv Subject Collection: Bioinformatics",
    ),
    "biorxiv_rss_genomics_2023-12-16_1item.rdf.xml": (1, 1, "bioRxiv Subject Collection: Genomics"),
}


def _path(name: str) -> Path:
    return (JOURNAL_RSS if (JOURNAL_RSS / name).exists() else BIORXIV_RSS) / name


def _parse(name: str, content: bytes | None = None) -> FetchOutcome:
    return parse_journal_feed(
        content or read(_path(name)), f"https://feeds.test/{name}", today=TODAY
    )


def test_every_recorded_feed_is_covered():
    names = {p.name for p in JOURNAL_RSS.iterdir()}
    names |= {p.name for p in BIORXIV_RSS.glob("*.xml")}
    assert names == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_recorded_counts(name: str):
    entries, with_doi, journal = COUNTS[name]
    outcome = _parse(name)
    assert outcome.status == "ok"
    assert outcome.errors == ()
    assert len(outcome.papers) == entries
    assert sum(1 for p in outcome.papers if p.doi) == with_doi
    assert len({p.key for p in outcome.papers}) == entries
    for paper in outcome.papers:
        assert paper.source == "journal"
        assert paper.feed == f"https://feeds.test/{name}"
        assert paper.primary_category == journal and paper.categories == (journal,)
        assert paper.key == (f"doi:{paper.doi}" if paper.doi else f"url:{paper.abs_url}")
        assert paper.title == paper.title.strip() and paper.title
        assert paper.announced_on != TODAY  # every recorded item carries its own date
        assert paper.announce_type == "new"


def test_oup_doi_comes_from_prism_not_from_the_abstract():
    papers = _parse("oup-bioinformatics_rss2_2025-03-22.xml").papers
    assert [p.doi for p in papers][:1] == ["10.1093/bioinformatics/btaf119"]
    last = papers[-1]
    assert last.doi == "10.1093/bioinformatics/btaf123"  # not the Zenodo DOI in its text
    assert "10.5281/ZENODO.14979798" in last.abstract
    assert '<div class="boxTitle">' in last.abstract  # original markup kept
    assert last.announced_on == date(2025, 3, 22)
    assert last.authors == ()
    assert "boxTitle" not in display_text(last.abstract)


def test_bmc_authors_with_and():
    first = _parse("bmc-bioinformatics_rss2_2025-04-13.xml").papers[0]
    assert first.authors == (
        "Daniel Henrique Ferreira Gomes",
        "Inácio Gomes Medeiros",
        "Tirzah Braz Petta",
        "Beatriz Stransky",
        "Jorge Estefano Santana de Souza",
    )
    assert first.doi == "10.1186/s12859-025-06113-4"
    assert first.announced_on == date(2025, 4, 9)
    assert first.abstract.endswith("representativenes...")


def test_biorxiv_rss_items():
    papers = _parse("biorxiv_rss_bioinformatics_2025-04-13.rdf.xml").papers
    first = papers[0]
    assert first.key == "doi:10.1101/2025.04.07.647590"
    assert first.title.startswith("SpatioCell: A Deep Learning Algorithm")
    assert first.authors[:3] == ("Hou, N.", "Wu, Z.", "Yu, Y.")
    assert len(first.authors) == 11
    assert first.announced_on == date(2025, 4, 12)
    assert first.abs_url == "https://www.biorxiv.org/content/10.1101/2025.04.07.647590v1?rss=1"
    assert {p.announced_on for p in papers} <= {date(2025, 4, d) for d in range(9, 13)}
    one = _parse("biorxiv_rss_genomics_2023-12-16_1item.rdf.xml").papers[0]
    assert one.doi == "10.1101/2023.12.16.571984"
    assert "Plaumann, P.-L." in one.authors and "O'Connell, R. J." in one.authors
    assert one.title.startswith("Complete genome of the Medicago")


def test_science_doi_from_the_first_dc_identifier():
    first = _parse("science-twis_rss1-rdf_2017-06.xml").papers[0]
    assert first.doi == "10.1126/science.356.6343.1134-a"
    assert first.authors == ("Hines, P. J.",)
    assert first.announced_on == date(2017, 6, 15)  # dc:date as written (-07:00)
    assert first.title == "Food for fungi"


def test_plos_atom_entry():
    first = _parse("plos-compbiol_atom_2025-04-13.xml").papers[0]
    assert first.doi == "10.1371/journal.pcbi.1012994"
    assert first.authors == (
        "Jin Ke",
        "Hayoung Song",
        "Zihan Bai",
        "Monica D. Rosenberg",
        "Yuan Chang Leong",
    )
    assert first.announced_on == date(2025, 4, 11)
    assert "Human affective experience" in first.abstract
    assert first.abs_url.startswith("https://journals.plos.org/ploscompbiol/article?id=")


def test_nature_entry_without_doi_uses_url_key():
    first = _parse("nature_subject-bioinformatics_atom_2025-03-19.xml").papers[0]
    assert first.key == "url:https://www.nature.com/articles/s41598-025-86513-x"
    assert first.authors == ("Basanta Kumar Das et al.",)
    assert first.announced_on == date(2025, 3, 19)
    assert first.abstract == ""


def test_items_without_dates_use_today():
    name = "bmc-bioinformatics_rss2_2025-04-13.xml"
    undated = re.sub(rb"<(pubDate|dc:date)>[^<]*</\1>", b"", read(_path(name)))
    assert b"pubDate" not in undated
    outcome = _parse(name, undated)
    assert outcome.status == "ok"
    assert {p.announced_on for p in outcome.papers} == {TODAY}


def test_truncated_feed_is_partial():
    name = "science-twis_rss1-rdf_2017-06.xml"
    content = read(_path(name))
    outcome = _parse(name, content[: len(content) // 2])
    assert outcome.status == "partial"
    assert 0 < len(outcome.papers) < 69
    assert outcome.errors[0].startswith("feed is not well-formed XML")


@pytest.mark.parametrize("body", [b"", b"<html><p>Service unavailable</p></html>", b"\x00\xff"])
def test_garbage_fails(body: bytes):
    outcome = parse_journal_feed(body, "u", today=TODAY)
    assert outcome.status == "failed"
    assert outcome.errors


async def test_fetch_conditional_round_trip(http_server: FakeHttpServer, fetcher: HttpFetcher):
    name = "plos-compbiol_atom_2025-04-13.xml"

    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-Modified-Since") == "Sun, 13 Apr 2025 11:14:47 GMT":
            return web.Response(status=304)
        return web.Response(
            body=read(_path(name)),
            content_type="application/atom+xml",
            headers={"Last-Modified": "Sun, 13 Apr 2025 11:14:47 GMT"},
        )

    http_server.route("/feed.atom", handler)
    url = f"{http_server.url}/feed.atom"
    first = await fetch_journal_feed(fetcher, url, today=TODAY)
    assert first.status == "ok" and len(first.papers) == 4
    assert first.etag is None and first.last_modified == "Sun, 13 Apr 2025 11:14:47 GMT"
    assert {p.feed for p in first.papers} == {url}
    second = await fetch_journal_feed(fetcher, url, last_modified=first.last_modified)
    assert second.status == "not_modified"
    assert second.last_modified == first.last_modified


async def test_fetch_failure_never_raises(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route("/feed", Reply("gone", status=410))
    outcome = await fetch_journal_feed(fetcher, f"{http_server.url}/feed")
    assert outcome.status == "failed"
    assert outcome.errors == (f"HTTP 410 from {http_server.url}/feed",)
