"""`paperbot doctor` against the loopback fakes: ✔ when all is right, ✘ with the fix when not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.slack.settings import SlackSettings
from adapters.telegram.settings import TelegramSettings
from bot.config import Settings
from bot.store.db import Database
from paperbot.cli import main
from paperbot.doctor import Probe, database, llm, run_doctor, sources, zotero
from paperbot.doctor_platforms import slack_probe, telegram_probe
from tests.bot.qa.helpers import arxiv_api_body
from tests.conftest import FIXTURES
from tests.fakes.crossref import serve_crossref
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zotero import KEY, USER_ID, FakeZotero, serve_zotero

BIORXIV = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"


@dataclass
class World:
    settings: Settings
    slack: FakeSlackApi
    telegram: FakeTelegramApi
    sources: FakeHttpServer
    probes: list[Probe]


@pytest.fixture
async def world(tmp_path: Path, http_server: FakeHttpServer) -> AsyncIterator[World]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    db = Database.open(url)
    await db.migrate()
    await db.close()
    http_server.route_prefix(
        "/rss/", Reply((FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml").read_bytes())
    )
    http_server.route("/api/query", Reply(arxiv_api_body()))
    http_server.route_prefix("/biorxiv/details/", Reply(BIORXIV.read_bytes()))
    crossref = serve_crossref(http_server)
    openai = await FakeOpenAIServer(model="lab-model").start()
    slack_api = await FakeSlackApi().start()
    async with FakeTelegramApi() as telegram_api:
        settings = Settings(
            _env_file=None, database_url=url, adapters="slack,telegram",
            arxiv_rss_url=f"{http_server.url}/rss/", arxiv_api_url=f"{http_server.url}/api/query",
            biorxiv_api_url=f"{http_server.url}/biorxiv", crossref_api_url=crossref,
            llm_base_url=openai.base_url, llm_model="lab-model", llm_api_key="sk-test",
        )  # type: ignore[call-arg]  # fmt: skip
        probes = [database, sources, llm,
                  slack_probe(SlackSettings(_env_file=None, bot_token="xoxb-doctor",
                                            app_token="xapp-doctor", api_url=slack_api.url)),
                  telegram_probe(TelegramSettings(_env_file=None, bot_token=telegram_api.token,
                                                  api_url=telegram_api.api_url))]  # fmt: skip
        try:
            yield World(settings, slack_api, telegram_api, http_server, probes)
        finally:
            await slack_api.stop()
            await openai.stop()


async def test_a_healthy_setup_is_all_ticks(world: World) -> None:
    checks = await run_doctor(world.settings, world.probes)
    assert [c.name for c in checks] == [
        "database", "ARXIV_RSS_URL", "ARXIV_API_URL", "BIORXIV_API_URL", "CROSSREF_API_URL",
        "LLM", "Slack", "Telegram", "Telegram webhook",
    ]  # fmt: skip
    assert all(c.ok for c in checks), [c.line() for c in checks if not c.ok]
    lines = [c.line() for c in checks]
    assert "✔ LLM: " in lines[5] and "lab-model" in lines[5]
    assert "privacy mode on" in lines[7]


async def test_each_wrong_setting_is_named_with_its_fix(world: World) -> None:
    world.slack.scopes.remove("files:write")
    world.telegram.webhook_url = "https://old.example.org/hook"
    world.sources.route("/api/query", Reply("busy", status=503))
    wrong = world.settings.model_copy(update={"llm_model": "no-such-model"})
    failed = {c.name: c.detail for c in await run_doctor(wrong, world.probes) if not c.ok}
    assert set(failed) == {"ARXIV_API_URL", "LLM", "Slack", "Telegram webhook"}
    assert "HTTP 503" in failed["ARXIV_API_URL"]
    assert "'no-such-model' is not served (it lists lab-model); check LLM_MODEL" in failed["LLM"]
    assert "lacks scopes files:write" in failed["Slack"] and "reinstall" in failed["Slack"]
    assert "is https://old.example.org/hook, configured polling" in failed["Telegram webhook"]


@pytest.mark.usefixtures("restored_logging")
def test_the_command_exits_1_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'new.db'}",
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "ARXIV_API_URL": "http://127.0.0.1:9/api",
        "BIORXIV_API_URL": "http://127.0.0.1:9", "CROSSREF_API_URL": "http://127.0.0.1:9",
        "ADAPTERS": "console", "LLM_BASE_URL": "", "LLM_MODEL": "",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✘ database: " in out and "✘ ARXIV_RSS_URL: no answer (ConnectError)" in out
    assert "✔ LLM: not configured" in out


async def test_the_zotero_key_is_checked_against_the_library(http_server: FakeHttpServer) -> None:
    url = serve_zotero(http_server, FakeZotero())
    base = {"_env_file": None, "zotero_api_url": url, "zotero_api_key": KEY}
    good = await run_doctor(Settings(**base, zotero_user_id=USER_ID), [zotero])  # type: ignore[arg-type]
    other = await run_doctor(Settings(**base, zotero_user_id="1"), [zotero])  # type: ignore[arg-type]
    revoked = Settings(**{**base, "zotero_api_key": "revoked"}, zotero_user_id=USER_ID)  # type: ignore[arg-type]
    refused = await run_doctor(revoked, [zotero])
    half = await run_doctor(Settings(_env_file=None, zotero_user_id=USER_ID), [zotero])
    assert [c.line() for c in good] == ["✔ Zotero: the key of lab reads users/475425"]
    assert not other[0].ok and "cannot read users/1" in other[0].detail
    assert (
        not refused[0].ok
        and "Invalid key" in refused[0].detail
        and "revoked" not in refused[0].detail
    )
    assert not half[0].ok and "needs both" in half[0].detail
    assert await run_doctor(Settings(_env_file=None), [zotero]) == []  # not configured: silent
