"""Offline Q&A retrieval on the recorded PaSa PDF (issue 15): section labels for tables and
appendices, body sections preferred to boilerplate, follow-ups, "not found in the paper"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.qa.extracts import extracts_answer
from bot.qa.history import follow_up_context
from bot.qa.pdf_text import parse_pdf
from bot.qa.retrieve import PaperIndex
from bot.qa.types import Chunk, FullText
from bot.qa.weights import BOILERPLATE_WEIGHT, weight

TITLE = "PaSa: An LLM Agent for Comprehensive Academic Paper Search"


@pytest.fixture(scope="module")
def index() -> PaperIndex:
    pdf = Path(__file__).resolve().parents[3].parent / "shared/fixtures/arxiv_fulltext"
    chunks = asyncio.run(parse_pdf((pdf / "arxiv_pdf_2501.10120v1_PaSa.pdf").read_bytes()))
    abstract = next(c.text for c in chunks if c.section == "Abstract")
    return PaperIndex(TITLE, abstract, FullText("pdf", tuple(chunks)))


def test_tables_are_labelled_by_their_caption_not_the_section_around(index: PaperIndex) -> None:
    tables = {c.section.split(":")[0]: c for c in index.chunks if c.section.startswith("Table")}
    assert {"Table 5", "Table 7", "Table 8", "Table 9"} <= set(tables)
    assert "0.7931" in tables["Table 8"].text  # the ablation's numbers under Table 8
    conclusion = " ".join(c.text for c in index.chunks if c.section == "§6 Conclusion")
    assert "0.7227 175.9" not in conclusion  # Table 9's cells are no longer "§6 Conclusion"


def test_appendices_keep_their_letters(index: PaperIndex) -> None:
    sections = {c.section for c in index.chunks}
    assert "§A.1 Imitation learning data generation" in sections
    assert "§C Selector Test Dataset" in sections


def test_crawler_training_is_found_in_its_section(index: PaperIndex) -> None:
    hits = index.top("how is the crawler trained", 3000)
    assert hits[0].chunk.section == "§4.2 Crawler"
    assert "two stages" in hits[0].chunk.text


def test_prompt_templates_weigh_least() -> None:
    prompt = Chunk("§E.2 Prompt for Paper Selection", "You are an elite researcher. {user_query}")
    assert weight(prompt) == BOILERPLATE_WEIGHT
    assert weight(Chunk("§4.2 Crawler", "The Crawler is trained with PPO.")) == 1.0


def test_a_missing_section_is_said_to_be_missing(index: PaperIndex) -> None:
    found = index.retrieve("what are the limitations", 3000)
    assert found.missing_section == "limitations"
    answer = extracts_answer(found.hits, "what are the limitations", "en", "no LLM", found)
    assert "Not found in the paper: it has no Limitations section" in answer


def test_weak_best_passage_gives_not_found(index: PaperIndex) -> None:
    found = index.retrieve("what is the carbon footprint of training on glaciers", 3000)
    assert found.weak
    answer = extracts_answer(found.hits, "carbon footprint glaciers", "en", "no LLM", found)
    assert answer.splitlines()[1].startswith("Not found in the paper")
    assert not index.retrieve("Which GPUs were used for training?", 3000).weak


def test_follow_up_questions_search_with_the_threads_earlier_question(index: PaperIndex) -> None:
    turns = [("What is RealScholarQuery?", "A benchmark of real queries.")]
    context = follow_up_context("and how many queries does it have?", turns)
    assert context == "What is RealScholarQuery?"
    alone = index.top("and how many queries does it have?", 3000)
    followed = index.top("and how many queries does it have?", 3000, context=context)
    sections = [h.chunk.section for h in followed[:3]]
    assert "§3.2 RealScholarQuery" in sections
    assert "§3.2 RealScholarQuery" not in [h.chunk.section for h in alone[:3]]
    assert follow_up_context("Which GPUs were used?", turns) == ""
