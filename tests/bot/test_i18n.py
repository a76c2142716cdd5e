"""Label catalogs: every language has every label with the same placeholders, and a channel's
language shows in its digest (issue 20)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.commands.registry import SPECS
from bot.i18n import HELP, LABELS, SUPPORTED, labels
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_catalogs_ship_for_nine_languages_with_every_key() -> None:
    assert {"en", "zh", "ja", "ko", "de", "fr", "es", "pt", "ru"} <= set(SUPPORTED)
    english = LABELS["en"]
    for code, catalog in LABELS.items():
        assert set(catalog) == set(english), code
        for key, text in catalog.items():
            assert text.strip() or key == "count_and", (code, key)
            wanted = set(PLACEHOLDER.findall(english[key]))
            assert set(PLACEHOLDER.findall(text)) == wanted, (code, key)
            text.format(**{name: "x" for name in wanted})  # no stray braces


def test_region_codes_use_their_language_and_unknown_ones_english() -> None:
    assert labels("pt-BR")["method"] == "Método" and labels("zh-TW")["method"] == "方法"
    assert labels("it")["method"] == "Method"  # no catalog: English labels


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"))
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def test_a_german_channel_gets_german_labels_and_is_told_the_text_stays(
    testbot: TestBot,
) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    assert "Language set to de." in await testbot.exec_command("/language de")
    preview = await testbot.exec_command("/digest preview")
    assert "Artikel für 2025-04-28" in preview and "Methode" in preview
    assert preview.count("bleiben in der Sprache des Artikels") == 1  # said once, offline


async def test_an_unknown_language_lists_the_supported_codes(testbot: TestBot) -> None:
    reply = await testbot.exec_command("/language xx")
    assert "does not know the language 'xx'" in reply
    assert all(code in reply for code in ("de", "en", "ja", "pt", "ru", "zh"))
    topics = await testbot.exec_command("/topics")
    assert "language en" in topics  # unchanged


def test_every_help_catalog_explains_every_command() -> None:
    wanted = {f"cmd:{spec.name}" for spec in SPECS} | {"commands", "unknown", "query"}
    assert set(HELP) == set(SUPPORTED) - {"en"}  # English lives with the commands
    for code, catalog in HELP.items():
        assert set(catalog) == wanted, (code, wanted ^ set(catalog))
        assert "{command}" in catalog["unknown"] and "`cat:cs.CL`" in catalog["query"], code


async def test_help_follows_the_channel_language(testbot: TestBot) -> None:
    await testbot.exec_command("/language de")
    listing = await testbot.exec_command("/help")
    assert "Befehle" in listing and "einem Thema folgen" in listing
    assert "follow a topic" not in listing and "Themenabfragen" in listing
    one = await testbot.exec_command("/help more")
    assert "5 gespeicherte Artikel" in one
