"""`paperbot run` with Telegram, as a real process: a burst of first commands, and SIGTERM
during a command."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from sqlmodel import select

from bot.models import Channel, Topic
from bot.store.db import Database
from tests.adapters.telegram.updates import group_chat, message_update, private_chat
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.telegram_api import FakeTelegramApi

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
TIMEOUT = 60.0
SORRY = "Sorry, something went wrong"


@asynccontextmanager
async def running_bot(
    api: FakeTelegramApi, feeds: FakeHttpServer, db_url: str, cwd: Path, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`paperbot run` on the fake Bot API and the feeds; SIGKILLed if still running after."""
    values = {**os.environ, "DATABASE_URL": db_url, "ADAPTERS": "telegram",
              "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.api_url,
              "ARXIV_RSS_URL": f"{feeds.url}/rss/", "LOG_LEVEL": "WARNING", **env}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=values,
        cwd=cwd,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def texts(api: FakeTelegramApi, chat_id: int) -> list[str]:
    return [str(p["text"]) for p in api.sent(chat_id)]


def has(needle: str, api: FakeTelegramApi, chat_id: int) -> Callable[[], bool]:
    return lambda: any(needle in text for text in texts(api, chat_id))


async def stop(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), TIMEOUT)


async def test_a_new_groups_first_five_commands_at_once_all_land(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    chat = group_chat(-1009990001)
    lines = ["/subscribe cat:quant-ph entanglement", "/subscribe cat:quant-ph qubit",
             "/size 30", "/topics", "/digest now"]  # fmt: skip
    url = f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"
    async with FakeTelegramApi() as api:
        api.members[(chat["id"], 10081232)] = "administrator"
        for line in lines:
            api.push_update(message_update(chat, line))
        async with running_bot(api, http_server, url, tmp_path, DEFAULT_DIGEST_SIZE="2") as bot:
            await api.wait_until(lambda: len(api.sent(chat["id"])) >= len(lines), TIMEOUT)
            assert await stop(bot) == 0  # a command still under way is finished first
    answers = texts(api, chat["id"])
    assert not [t for t in answers if SORRY in t], answers
    for needle in ("topic 1", "topic 2", "up to 30 papers", "Topics"):
        assert any(needle in t for t in answers), (needle, answers)
    db = Database.open(url)
    try:
        async with db.session() as session:
            channels = list(await session.exec(select(Channel)))
            topics = list(await session.exec(select(Topic)))
    finally:
        await db.close()
    assert len(channels) == 1 and channels[0].max_papers == 30 and len(topics) == 2


async def test_sigterm_during_a_command_tells_the_user_to_send_it_again(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    never = asyncio.Event()

    async def hang(_request: web.Request) -> web.StreamResponse:
        await never.wait()
        return web.Response(status=503)

    http_server.route_prefix("/rss/", hang)
    chat = private_chat(555001)
    url = f"sqlite+aiosqlite:///{tmp_path / 'stop.db'}"
    async with FakeTelegramApi() as api:
        env = {"SHUTDOWN_GRACE_SECONDS": "1", "HTTP_TIMEOUT": "120"}
        async with running_bot(api, http_server, url, tmp_path, **env) as bot:
            api.push_update(message_update(chat, "/subscribe cat:quant-ph entanglement"))
            await api.wait_until(has("Subscribed", api, chat["id"]), TIMEOUT)
            api.push_update(message_update(chat, "/digest now"))
            async with asyncio.timeout(TIMEOUT):
                while not http_server.requests_to("/rss/"):  # the digest is fetching
                    http_server.request_event.clear()
                    await http_server.request_event.wait()
            assert await stop(bot) == 0
        never.set()
    assert any("send it again" in t and "digest now" in t for t in texts(api, chat["id"]))
