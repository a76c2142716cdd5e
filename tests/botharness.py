"""A whole bot driven through the console adapter, errbot-style: `await testbot.exec_command(…)`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.console import CONSOLE, ConsoleSender, handle_line
from bot.app import App, create_app
from bot.config import Settings
from bot.messages import Conversation
from bot.sources.http import HttpFetcher
from bot.store.channels import get_or_create_channel
from bot.store.db import Database
from bot.store.papers import find_paper
from bot.store.positions import positions, set_positions


def bot_settings(**overrides: Any) -> Settings:
    """Settings for tests: no .env, no retries to wait for, no politeness delay."""
    values: dict[str, Any] = {
        "http_retries": 2,
        "http_backoff": 0.0,
        "http_backoff_max": 0.0,
        "http_timeout": 5.0,
        "arxiv_api_min_interval": 0.0,
        "database_url": "sqlite+aiosqlite:///:memory:",
        "embedding_model": "none",  # semantic tests opt in with the shared model (tests/fakes)
        "arxiv_html_url": "http://127.0.0.1:9/html/",  # Q&A full text: never the real arXiv
        "arxiv_pdf_url": "http://127.0.0.1:9/pdf/",
        "digest_now_interval": 0,  # tests post digests back to back on a fixed clock
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class TestBot:
    """The core wired to a database and sources, answering console lines."""

    __test__ = False
    app: App
    conversation: Conversation = CONSOLE

    async def exec_command(self, line: str, *, conversation: Conversation | None = None) -> str:
        """Send one console line; return everything the bot printed in answer."""
        out = io.StringIO()
        sender = ConsoleSender(out)
        await handle_line(self.app.bot, sender, conversation or self.conversation, line, out)
        return out.getvalue()

    async def numbered(self) -> dict[int, str]:
        """Number → paper key of the console channel's last digest, as stored."""
        async with self.app.bot.deps.db.session() as session:
            channel = await get_or_create_channel(session, self.conversation, bot_settings())
            assert channel.id is not None
            return await positions(session, channel.id)

    async def set_numbered(self, keys: dict[int, str]) -> None:
        """Store `keys` as the console channel's last digest numbers."""
        async with self.app.bot.deps.db.session() as session:
            channel = await get_or_create_channel(session, self.conversation, bot_settings())
            assert channel.id is not None
            ids = {n: (await find_paper(session, key)).id for n, key in keys.items()}
            await set_positions(session, channel.id, ids)  # type: ignore[arg-type]


async def make_testbot(
    db: Database, settings: Settings, clock: Callable[[], datetime] | None = None
) -> TestBot:
    """A TestBot over an already-migrated database."""
    fixed = clock or (lambda: datetime(2025, 4, 28, 12, 0, tzinfo=UTC))
    http = HttpFetcher(settings)
    app = await create_app(settings, clock=fixed, http=http, db=db)
    return TestBot(app)


@asynccontextmanager
async def running_testbot(
    db: Database, settings: Settings, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[TestBot]:
    """`make_testbot`, closed again when the block ends."""
    bot = await make_testbot(db, settings, clock)
    try:
        yield bot
    finally:
        await bot.app.aclose()
