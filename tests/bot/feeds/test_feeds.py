"""A channel's feeds: valid Atom and JSON Feed of what it was sent, tokens, HTTP serving."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime

import feedparser
import httpx
from aiohttp import web

from bot.feeds.service import channel_feed, feed_urls
from bot.messages import Conversation, IncomingMessage
from bot.models import Channel
from bot.posts import PaperPost
from bot.store.db import Database
from bot.store.feeds import channel_for_token, feed_token, reset_feed_token
from paperbot.web import feed_routes
from tests.botharness import bot_settings
from tests.fakes.senders import RecordingSender
from tests.jobs.conftest import PlatformRecorder

DAY = (date(2025, 4, 1), date(2025, 4, 30))
KNOWN_ITEM_KEYS = {
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
    "banner_image", "date_published", "date_modified", "authors", "tags", "language",
    "attachments",
}  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"


async def test_atom_is_strict_xml_and_reads_back_with_every_delivered_paper(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, platform = delivered
    async with db.session() as session:
        document = await channel_feed(session, channel, "atom", "https://bot.example/f.atom", DAY)
    root = ElementTree.fromstring(document.body)  # strict: raises on any malformed byte
    entries = root.findall(f"{ATOM}entry")
    assert document.content_type == "application/atom+xml" and len(entries) == 10
    parsed = feedparser.parse(document.body)
    assert not parsed.bozo and parsed.feed.title == "paperbot: test:lab"
    sent = {m.paper.abs_url for m in platform.posts["lab"] if isinstance(m, PaperPost)}
    assert {e.link for e in parsed.entries} == sent
    first = parsed.entries[0]
    assert first.summary and "TL;DR" in first.content[0].value and first.published
    assert all(e.id.startswith("https://arxiv.org/abs/") for e in parsed.entries)


async def test_json_feed_1_1_with_the_structured_summaries(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    async with db.session() as session:
        document = await channel_feed(session, channel, "json", "https://bot.example/f.json", DAY)
    data = json.loads(document.body)
    assert data["version"] == "https://jsonfeed.org/version/1.1" and len(data["items"]) == 10
    item = data["items"][0]
    assert {"id", "url", "title", "content_html", "content_text", "date_published"} <= set(item)
    assert set(item["_paperbot"]["summary"]) >= {"one_line", "tldr", "method", "keywords"}
    assert_json_feed_1_1(data)


def assert_json_feed_1_1(data: dict[str, object]) -> None:
    """The JSON Feed 1.1 spec's rules: required keys and types, RFC 3339 dates."""
    assert isinstance(data["title"], str) and isinstance(data["items"], list)
    assert str(data["feed_url"]).startswith("https://")
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert all(isinstance(a["name"], str) for a in item.get("authors", []))
        assert all(k in KNOWN_ITEM_KEYS or k.startswith("_") for k in item)


async def test_nothing_sent_in_the_period_is_an_empty_valid_feed(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    async with db.session() as session:
        empty = await channel_feed(session, channel, "atom", "urn:x", (date(2024, 1, 1),) * 2)
    assert ElementTree.fromstring(empty.body).findall(f"{ATOM}entry") == []


async def test_tokens_are_unguessable_per_channel_and_reset_ends_the_old_one(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    assert channel.id is not None
    async with db.session() as session:
        token = await feed_token(session, channel.id)
        assert await feed_token(session, channel.id) == token and len(token) >= 32
        fresh = await reset_feed_token(session, channel.id)
    async with db.session() as session:
        assert await channel_for_token(session, token) is None
        found = await channel_for_token(session, fresh)
        assert found is not None and found.id == channel.id


async def test_served_over_http_with_etags_and_404_for_unknown_or_reset_tokens(
    db: Database, delivered: tuple[Channel, PlatformRecorder]
) -> None:
    channel, _ = delivered
    assert channel.id is not None
    async with db.session() as session:
        token = await feed_token(session, channel.id)
    app = web.Application()
    app.add_routes(feed_routes(db, bot_settings(public_url="https://bot.example")))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            atom = await client.get(f"/feeds/{token}.atom")
            again = await client.get(f"/feeds/{token}.atom",
                                     headers={"If-None-Match": atom.headers["ETag"]})  # fmt: skip
            as_json = await client.get(f"/feeds/{token}.json")
            unknown = await client.get("/feeds/" + "x" * 32 + ".atom")
            bad = await client.get("/feeds/../../etc/passwd")
            async with db.session() as session:
                await reset_feed_token(session, channel.id)
            old = await client.get(f"/feeds/{token}.json")
    finally:
        await runner.cleanup()
    assert atom.status_code == 200 and atom.headers["Content-Type"].startswith("application/atom")
    assert f"https://bot.example/feeds/{token}.atom".encode() in atom.content
    assert again.status_code == 304 and as_json.json()["feed_url"].endswith(".json")
    assert unknown.status_code == bad.status_code == old.status_code == 404


async def test_the_feed_command_shows_the_links_and_only_admins_reset_them(
    db: Database, delivered: tuple[Channel, PlatformRecorder], app: object
) -> None:
    bot = app.bot  # type: ignore[attr-defined]
    sender = RecordingSender()
    lab = Conversation("test", "lab")
    await bot.handle(IncomingMessage(lab, "feed"), sender)
    await bot.handle(IncomingMessage(lab, "feed reset", is_admin=False), sender)
    await bot.handle(IncomingMessage(lab, "feed reset"), sender)
    shown, refused, reset = sender.texts
    token = shown.split("/feeds/")[1].split(".atom")[0]
    assert "Atom: /feeds/" in shown and "JSON Feed: /feeds/" in shown and "PUBLIC_URL" in shown
    assert "Only an administrator" in refused and token not in reset
    assert feed_urls("https://x/", "t") == {"atom": "https://x/feeds/t.atom",
                                           "json": "https://x/feeds/t.json"}  # fmt: skip
