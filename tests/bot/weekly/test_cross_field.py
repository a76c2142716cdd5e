"""The cross-disciplinary briefing: fields, offline clusters, and the checked LLM notes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.store.usage import UsageRecorder
from bot.summary.offline import OfflineSummarizer
from bot.summary.types import PaperText
from bot.text import display_text
from bot.weekly.fields import WeekPaper, by_field, field_of, offline_cross_field
from bot.weekly.fields_llm import PURPOSE, keep_citations, llm_cross_field
from tests.conftest import FIXTURES
from tests.fakes.llm_rig import llm_client, llm_settings, user_prompt
from tests.fakes.openai_server import Completion, FakeOpenAIServer

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
BIORXIV = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"


def week_papers() -> list[WeekPaper]:
    """8 recorded quant-ph papers and 6 recorded bioRxiv ones, summarized offline, numbered."""
    arxiv = parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers[:8]
    bio, *_ = parse_biorxiv_page(json.loads(BIORXIV.read_text()))
    summarizer = OfflineSummarizer()
    papers = []
    for n, p in enumerate([*arxiv, *bio[:6]], 1):
        text = PaperText(p.key, display_text(p.title), display_text(p.abstract))
        summary = summarizer.summarize_now(text, "en")
        papers.append(WeekPaper(n, text.title, p.abs_url, p.source, p.primary_category, summary))
    return papers


def test_fields_come_from_the_archive_or_the_server() -> None:
    assert field_of("arxiv", "quant-ph") == "Quantum physics"
    assert field_of("arxiv", "cs.CL") == "Computer science"
    assert field_of("arxiv", "math.OC") == "Mathematics"
    assert field_of("biorxiv", "genomics") == "Biology (bioRxiv)"
    assert list(by_field(week_papers())) == ["Quantum physics", "Biology (bioRxiv)"]


def test_offline_notes_per_field_cite_the_week_s_own_papers() -> None:
    papers = week_papers()
    cross = offline_cross_field(papers)
    assert cross is not None
    assert [n.field for n in cross.notes] == ["Quantum physics", "Biology (bioRxiv)"]
    quantum = cross.notes[0]
    assert quantum.text.startswith("8 papers") and quantum.papers
    assert {c.number for n in cross.notes for c in n.papers} <= {p.number for p in papers}
    assert offline_cross_field(papers[:8]) is None, "one field: no cross-field section"


def test_citations_of_papers_that_do_not_exist_are_removed() -> None:
    assert keep_citations("Qubits move (#1, #99).", {1, 2}) == "Qubits move (#1)."
    assert keep_citations("See #42 only (#42).", {1}) == "See only."
    assert keep_citations("Both (#1, #2) agree.", {1, 2}) == "Both (#1, #2) agree."


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAIServer]:
    server = await FakeOpenAIServer().start()
    try:
        yield server
    finally:
        await server.stop()


async def test_one_call_over_fenced_summaries_and_only_real_citations(
    fake: FakeOpenAIServer, tmp_path: object
) -> None:
    from tests.databases import sqlite_database

    papers = week_papers()
    reply = {
        "fields": [{"field": "Quantum physics", "summary": "Error correction moves (#1, #99)."}],
        "connections": "Sampling links #2 and #12, not #77.",
    }
    fake.script(Completion(json.dumps(reply)))
    settings = llm_settings(fake)
    async with sqlite_database(tmp_path) as (db, _), llm_client(settings) as client:  # type: ignore[arg-type]
        cross = await llm_cross_field(client, settings, UsageRecorder(db), papers, "en")
        assert fake.calls == 1 and (await UsageRecorder(db).tokens_today()) == 150
    assert cross is not None
    prompt = user_prompt(fake)
    assert prompt.count("<paper n=") == len(papers) and "</papers>" in prompt
    assert papers[0].summary.one_line[:40] in prompt
    assert "Fields: Quantum physics, Biology (bioRxiv)." in prompt
    quantum, biology = cross.notes
    assert quantum.text == "Error correction moves (#1)." and [
        c.number for c in quantum.papers
    ] == [1]
    assert biology == offline_cross_field(papers).notes[1]  # type: ignore[union-attr]
    assert "#77" not in cross.connections and [c.number for c in cross.cited] == [2, 12]
    assert PURPOSE == "briefing"


async def test_an_unusable_reply_falls_back_to_none(
    fake: FakeOpenAIServer, tmp_path: object
) -> None:
    from tests.databases import sqlite_database

    fake.script(Completion(json.dumps({"fields": [{"field": "Astrology", "summary": "x"}],
                                       "connections": ""})))  # fmt: skip
    settings = llm_settings(fake)
    async with sqlite_database(tmp_path) as (db, _), llm_client(settings) as client:  # type: ignore[arg-type]
        assert (
            await llm_cross_field(client, settings, UsageRecorder(db), week_papers(), "en") is None
        )
