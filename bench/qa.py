"""Q&A on the recorded long paper (PaSa PDF, 15 pages): first-time preparation (PDF parse and
index), median time outside the LLM per question (cached text: retrieval + prompt building),
prompt tokens per answer (~4 characters a token), and retrieval quality on our own set of 20
questions, each with the section that answers it: how often the top passage comes from it."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.messages import Conversation
from bot.qa.cache import FullTextCache
from bot.qa.history import condense
from bot.qa.pdf_text import parse_pdf
from bot.qa.prompts import qa_messages
from bot.qa.resolve import PaperResolver
from bot.qa.retrieve import PaperIndex, estimate_tokens
from bot.qa.service import QAService
from bot.qa.types import FullText
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import find_paper, upsert_papers

PDF = (
    Path(__file__).resolve().parents[2]
    / "shared/fixtures/arxiv_fulltext/arxiv_pdf_2501.10120v1_PaSa.pdf"
)
TITLE = "PaSa: An LLM Agent for Comprehensive Academic Paper Search"
QUESTIONS = (
    "Which GPUs were used for training?",
    "How is the Crawler trained with PPO?",
    "What does the Selector do?",
    "How much better is PaSa than Google Scholar in recall@20?",
    "What is RealScholarQuery and how was it built?",
    "What are the limitations of this work?",
    "Which learning rate and batch size were used?",
    "How are citation networks expanded?",
)
# Our own question set: (question, an earlier question of the thread or "", the labels of the
# passages that answer it). Written from reading the paper, not from the retriever's output.
ANSWERED_BY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Which GPUs were used for training?", "", ("§5.1",)),
    ("How is the Crawler trained?", "", ("§4.2",)),
    ("What does the Selector do?", "", ("§4.3",)),
    ("How much better is PaSa than Google Scholar in recall@20?", "", ("§5.3", "Table 5")),
    ("How was RealScholarQuery built?", "", ("§3.2",)),
    ("How many instances are in the AutoScholarQuery splits?", "", ("§3.1", "Table 2")),
    ("Which learning rate and batch size were used for the Selector?", "", ("§5.1",)),
    ("How does the Crawler expand citation networks?", "", ("§4.1", "§4.2", "Table 3")),
    ("What reward does the Crawler get for finding a paper?", "", ("§4.2",)),
    ("Which baselines is PaSa compared with?", "", ("§5.2",)),
    ("What happens without the Expand action in the ablation?", "", ("§5.4", "Table 8")),
    ("How was the quality of AutoScholarQuery checked?", "", ("§3.1",)),
    ("What F1 score does the Selector reach?", "", ("§5.3", "Table 7")),
    ("Which base model are the agents built on?", "", ("§5.1",)),
    ("How are sessions used to make PPO training efficient?", "", ("§4.2",)),
    ("How is the imitation learning data generated?", "", ("§A.1",)),
    ("How was the Selector test dataset built?", "", ("§C",)),
    ("How does the reward coefficient alpha change the Crawler?", "", ("Table 9", "§5.4")),
    ("and how many queries does it have?", "What is RealScholarQuery?", ("§3.2",)),
    ("What are the main contributions?", "", ("§1",)),
)
NO_SECTION_QUESTION = "What are the limitations of this work?"
CONTEXT_TOKENS = 3000
HISTORY_TOKENS = 800
GOAL_MS = 100.0


class _Parsed:
    """A fetcher that hands back the already parsed text (the bench has no network)."""

    def __init__(self, text: FullText) -> None:
        self.text = text

    async def fetch(self, paper: object) -> FullText:
        """The prepared text."""
        return self.text


async def service_median(text: FullText, folder: str) -> float:
    """Median ms of a whole offline answer (cached text, SQLite, turns stored) per question."""
    db = Database.open(f"sqlite+aiosqlite:///{folder}/bench.db")
    await db.migrate()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    cache = FullTextCache(db, _Parsed(text), limit_chars=64 * 2**20)  # type: ignore[arg-type]
    qa = QAService(db, cache, PaperResolver(db, None, settings), settings)  # type: ignore[arg-type]
    fetched = FetchedPaper(
        "arxiv", "arxiv:2501.10120", TITLE, "", (), date(2025, 1, 17), arxiv_id="2501.10120"
    )
    async with db.session() as session:
        await upsert_papers(session, [fetched])
        paper = await find_paper(session, "2501.10120")
    assert paper is not None
    convo = Conversation("bench", "c")
    await qa.answer(paper, QUESTIONS[0], convo, "en")  # warm: the text is cached
    times = []
    for question in QUESTIONS * 3:
        start = time.perf_counter()
        await qa.answer(paper, question, convo, "en")
        times.append((time.perf_counter() - start) * 1000)
    await db.close()
    return statistics.median(times)


async def prepare(content: bytes) -> tuple[PaperIndex, float]:
    """The paper's index and the seconds it took (PDF parse + BM25 build)."""
    start = time.perf_counter()
    chunks = await parse_pdf(content)
    abstract = next((c.text for c in chunks if c.section == "Abstract"), "")
    index = PaperIndex(TITLE, abstract, FullText("pdf", tuple(chunks)))
    return index, time.perf_counter() - start


def per_question(
    index: PaperIndex, question: str, turns: list[tuple[str, str]]
) -> tuple[float, int]:
    """(milliseconds outside the LLM, estimated prompt tokens) for one question."""
    start = time.perf_counter()
    hits = index.top(question, CONTEXT_TOKENS)
    messages = qa_messages(
        TITLE, [h.chunk for h in hits], question, condense(turns, HISTORY_TOKENS), "en"
    )
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, sum(estimate_tokens(m["content"]) for m in messages)


def top_section_hits(index: PaperIndex) -> list[tuple[str, str, bool]]:
    """(question, top passage's section, whether that is an answering section) per question."""
    rows = []
    for question, earlier, wanted in ANSWERED_BY:
        hits = index.top(question, CONTEXT_TOKENS, context=earlier)
        section = hits[0].chunk.section if hits else ""
        rows.append((question, section, section.startswith(wanted)))
    return rows


def print_question_set(index: PaperIndex) -> None:
    """How often the top passage comes from the section that answers the question."""
    rows = top_section_hits(index)
    right = sum(ok for _, _, ok in rows)
    print(f"own question set: top passage from the answering section {right}/{len(rows)}")
    for question, section, ok in rows:
        print(f"  {'ok  ' if ok else 'MISS'} {question[:58]:<58} → {section[:40]}")
    found = index.retrieve(NO_SECTION_QUESTION, CONTEXT_TOKENS)
    missing = found.missing_section
    said = f"not found (no {missing} section)" if missing else "answered"
    print(f"  {NO_SECTION_QUESTION} → {said}")


def main() -> None:
    """Print the table."""
    content = PDF.read_bytes()
    index, prepare_s = asyncio.run(prepare(content))
    times: list[float] = []
    tokens: list[int] = []
    turns: list[tuple[str, str]] = []
    for _ in range(5):
        for question in QUESTIONS:
            ms, used = per_question(index, question, turns)
            times.append(ms)
            tokens.append(used)
            turns.append((question, "An answer citing (§5.1 Experimental Setting). " * 4))
    median = statistics.median(times)
    with tempfile.TemporaryDirectory() as folder:
        whole = asyncio.run(service_median(FullText("pdf", index.chunks[1:]), folder))
    rows = [
        ("paper", f"PaSa PDF, {len(content) // 1024} KiB, {len(index.chunks)} chunks"),
        ("first-time preparation (PDF parse + index)", f"{prepare_s * 1000:.0f} ms"),
        ("median per question outside the LLM", f"{median:.2f} ms (goal ≤ {GOAL_MS:.0f} ms)"),
        ("median whole offline answer (cached, SQLite)", f"{whole:.1f} ms"),
        ("p95 per question outside the LLM", f"{sorted(times)[int(len(times) * 0.95)]:.2f} ms"),
        (
            "prompt tokens per answer (median, max)",
            f"{statistics.median(tokens):.0f}, {max(tokens)}",
        ),
        ("verdict", "OK" if median <= GOAL_MS else "SLOWER THAN GOAL"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print_question_set(index)


if __name__ == "__main__":
    main()
