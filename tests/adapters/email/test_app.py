"""The e-mail adapter from outside: `paperbot email …`, ADAPTERS=email, and asking a paper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.email.app import EmailAdapter
from adapters.email.links import ask_url
from adapters.email.web import email_routes
from bot.app import App, create_app
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from paperbot.invalid import InvalidSettings
from paperbot.run import HttpOptions, make_adapters
from tests.botharness import bot_settings
from tests.jobs.conftest import QUANT_PH
from tests.paperbot.test_cli import run_paperbot

SECRET = "s3cret-s3cret-s3cret"
SMTP = {"SMTP_HOST": "127.0.0.1", "SMTP_FROM": "bot@lab.example.org",
        "SMTP_LINK_SECRET": SECRET}  # fmt: skip


@pytest.fixture
async def app(db: Database) -> AsyncIterator[App]:
    settings = bot_settings(public_url="https://bot.example.org", adapters="console,email")
    application = await create_app(settings, db=db)
    async with db.session() as session:
        await upsert_papers(session, parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers)
    try:
        yield application
    finally:
        await application.http.aclose()


async def test_the_cli_subscribes_checks_and_lists_addresses(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    code, out, _ = await run_paperbot(["email", "subscribe", "Ada@Uni.example.org", "--topics",
                                       "cat:quant-ph entanglement", "--time",
                                       "07:30 Europe/Berlin", "--size", "5"], env)  # fmt: skip
    assert code == 0 and "Subscribed" in out and "07:30 Europe/Berlin" in out, out
    code, out, _ = await run_paperbot(["email", "subscribe", "no-at-sign", "--topics", "x"], env)
    assert code == 2 and "Not an e-mail address" in out
    code, out, _ = await run_paperbot(["email", "subscribe", "b@uni.example.org", "--topics",
                                       "cat:quant-ph AND ("], env)  # fmt: skip
    assert code == 2 and "unclosed '('" in out
    code, out, _ = await run_paperbot(["email", "unsubscribe", "ada@uni.example.org"], env)
    assert code == 0 and "no more digests" in out
    code, out, _ = await run_paperbot(["email", "list"], env)
    assert code == 0 and out.splitlines() == ["ada@uni.example.org\tunsubscribed\t07:30 "
                                              "Europe/Berlin"]  # fmt: skip


def test_adapters_email_needs_its_settings_and_serves_its_routes(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidSettings, match="SMTP_HOST and SMTP_FROM"):
        make_adapters(app, HttpOptions(enabled=True))
    for name, value in SMTP.items():
        monkeypatch.setenv(name, value)
    routes: list[web.RouteDef] = []
    built = make_adapters(app, HttpOptions(enabled=True), routes)
    assert isinstance(built["email"], EmailAdapter)
    assert {r.path for r in routes} >= {"/email/unsubscribe/{address}/{signature}"}
    monkeypatch.setenv("SMTP_LINK_SECRET", "short")
    with pytest.raises(InvalidSettings, match="SMTP_LINK_SECRET"):
        make_adapters(app, HttpOptions(enabled=True))


async def test_the_ask_link_answers_about_the_paper(app: App) -> None:
    web_app = web.Application()
    web_app.add_routes(email_routes(app.bot, SECRET))
    paper = parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers[0]
    url = ask_url("", SECRET, "ada@uni.example.org", paper.key)
    async with TestClient(TestServer(web_app)) as client:
        form = await client.get(url)
        assert form.status == 200 and "<textarea" in await form.text()
        answer = await client.post(url, data={"paper": paper.key, "question": "What is new?"})
        body = await answer.text()
        assert answer.status == 200 and "What is new?" in body and "No answer came" not in body
        assert "abstract" in body.lower(), body  # no full text here: answered from the abstract
        assert "Sorry, something went wrong" not in body
        wrong = url.replace("/ask/", "/ask/x")
        assert (await client.post(wrong, data={"paper": paper.key, "question": "q"})).status == 404
