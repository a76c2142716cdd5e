"""The whole bot through the console: subscribe, fetch a recorded feed, get a ranked digest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
PASA_PDF = FIXTURES / "arxiv_fulltext" / "arxiv_pdf_2501.10120v1_PaSa.pdf"


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    """A bot whose arXiv RSS is the recorded quant-ph feed on a loopback server."""
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    settings = bot_settings(arxiv_rss_url=f"{http_server.url}/rss/")
    bot = await make_testbot(db, settings)
    try:
        yield bot
    finally:
        await bot.app.http.aclose()


def numbered_titles(output: str) -> list[str]:
    """The `[N] Title` lines of a printed digest."""
    return re.findall(r"^\[(\d+)\] (.+)$", output, re.MULTILINE)


async def test_subscribe_then_digest_prints_ranked_digest(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    reply = await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    assert "Subscribed (topic 1)" in reply
    assert "arXiv quant-ph" in reply

    digest = await testbot.exec_command("/digest now")

    assert http_server.requests_to("/rss/quant-ph")
    assert "=== Papers for 2025-04-28 ===" in digest
    titles = numbered_titles(digest)
    assert len(titles) == 10  # the default size caps the digest
    assert [int(n) for n, _ in titles] == list(range(1, 11))
    assert re.search(r"^--- quant-ph \(\d+\) ---$", digest, re.MULTILINE)
    assert "entanglement" in digest.lower()
    assert "TL;DR:" in digest and "Keywords:" in digest


async def test_second_digest_does_not_repeat_papers(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    await testbot.exec_command("/size 5")
    first = numbered_titles(await testbot.exec_command("/digest now"))
    second = numbered_titles(await testbot.exec_command("/digest now"))
    assert len(first) == 5 and len(second) == 5
    assert not {t for _, t in first} & {t for _, t in second}


async def test_preview_does_not_count_as_delivered(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    preview = numbered_titles(await testbot.exec_command("/digest preview"))
    real = numbered_titles(await testbot.exec_command("/digest now"))
    assert preview == real


async def test_replacements_are_not_news_by_default(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph")
    await testbot.exec_command("/size 50")
    default = await testbot.exec_command("/digest preview")
    await testbot.exec_command("/replacements on")
    with_replacements = await testbot.exec_command("/digest preview")
    assert "new version v" not in default
    assert "(of 50 that matched" in default  # 40 new + 10 cross in the recorded feed
    assert "(of 81 that matched" in with_replacements  # + 22 replace + 9 replace-cross


async def test_bad_topic_changes_nothing(testbot: TestBot) -> None:
    reply = await testbot.exec_command('/subscribe cat:cs.CL "retrieval augmented')
    assert "unclosed quote at 10" in reply  # the quote opens at offset 10
    topics = await testbot.exec_command("/topics")
    assert "No topics yet" in topics


async def test_topic_management(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:cs.CL agents")
    await testbot.exec_command('/subscribe author:"Percy Liang"')
    await testbot.exec_command("/time 07:30 Europe/Berlin")
    listing = await testbot.exec_command("/topics")
    assert "1. `cat:cs.CL agents`" in listing
    assert '2. `author:"Percy Liang"`' in listing
    assert "Digest at 07:30 Europe/Berlin" in listing
    missing = await testbot.exec_command("/unsubscribe 3")
    assert "No topic 3" in missing and "Usage: `unsubscribe <n|all>`" in missing
    await testbot.exec_command("/unsubscribe 1")
    assert "cat:cs.CL agents" not in await testbot.exec_command("/topics")


async def test_question_is_answered_with_extracts_from_the_full_text(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    # The only recorded full text is the PaSa PDF: it stands in for every paper's PDF here,
    # and the HTML version is missing (404), so the PDF path is taken.
    http_server.route_prefix("/pdf/", Reply(PASA_PDF.read_bytes(), content_type="application/pdf"))
    testbot.app.settings.arxiv_html_url = f"{http_server.url}/html/"
    testbot.app.settings.arxiv_pdf_url = f"{http_server.url}/pdf/"
    await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    await testbot.exec_command("/digest now")
    answer = await testbot.exec_command(">2 which GPUs were used for training?")
    assert "… reading the paper" in answer
    assert "Extracts from the paper (no LLM configured):" in answer
    assert "§5.1 Experimental Setting" in answer and "H100" in answer
    assert "Read from the PDF full text of" in answer
    nothing = await testbot.exec_command(">99 anything?")
    assert "There is no paper 99" in nothing


async def test_unreachable_feed_is_reported_not_crashed(db: Database, tmp_path: Path) -> None:
    settings = bot_settings(arxiv_rss_url="http://127.0.0.1:9/rss/")
    bot = await make_testbot(db, settings)
    try:
        await bot.exec_command("/subscribe cat:cs.CL agents")
        reply = await bot.exec_command("/digest now")
    finally:
        await bot.app.http.aclose()
    assert "No papers to show yet" in reply
    assert "Not fetched yet: arXiv cs.CL (it could not be reached; retrying)." in reply
    assert reply.count("arXiv cs.CL is not reachable, retrying (2/2)…") == 1  # said while waiting
    last = reply.strip().splitlines()[-1]
    assert last.endswith("Check the network or proxy (and `ARXIV_RSS_URL`).")
    assert "ConnectError" not in reply and "127.0.0.1:9" not in reply  # no raw error or URL
