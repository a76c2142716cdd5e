"""No parser raises: random bytes, every prefix-length of recorded feeds, odd JSON pages."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sources.arxiv_api import parse_arxiv_api
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.journal import parse_journal_feed
from tests.bot.sources.recorded import ARXIV_RSS, JOURNAL_RSS, api_body, read

RSS = read(ARXIV_RSS)
OUP = read(JOURNAL_RSS / "oup-bioinformatics_rss2_2025-03-22.xml")
API = api_body("arxiv_api_recorded_search-testing_start0_max10_2026-04-12.json")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(body: bytes):
    assert parse_arxiv_feed(body, "u").status in ("ok", "partial", "failed")
    assert parse_journal_feed(body, "u").status in ("ok", "partial", "failed")
    papers, errors, _ = parse_arxiv_api(body)
    assert isinstance(papers, list) and isinstance(errors, list)


@FAST
@given(st.integers(min_value=0, max_value=len(RSS)))
def test_any_truncation_of_the_arxiv_feed(cut: int):
    outcome = parse_arxiv_feed(RSS[:cut], "u")
    assert outcome.status in ("ok", "partial", "failed")
    assert outcome.etag is None
    assert all(p.title and p.authors and p.arxiv_id for p in outcome.papers)
    if cut < len(RSS) - 40:  # a cut before the closing tags is never "ok"
        assert outcome.status != "ok"


@FAST
@given(st.integers(min_value=0, max_value=len(OUP)), st.integers(min_value=0, max_value=len(API)))
def test_any_truncation_of_journal_and_api(cut_oup: int, cut_api: int):
    assert parse_journal_feed(OUP[:cut_oup], "u").status in ("ok", "partial", "failed")
    parse_arxiv_api(API[:cut_api])


_json: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@FAST
@given(
    st.fixed_dictionaries(
        {
            "messages": _json | st.lists(_json, max_size=2),
            "collection": _json | st.lists(_json, max_size=3),
        }
    )
)
def test_odd_biorxiv_pages(data: dict[str, Any]):
    papers, count, _total, errors = parse_biorxiv_page(data)
    assert isinstance(papers, list) and isinstance(count, int) and isinstance(errors, list)
