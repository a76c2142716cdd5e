"""A whole bot behind the real discord.py gateway client, connected to the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from adapters.discord.app import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.store.db import Database
from bot.store.keys import RequestKeys
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.discord_api import FakeDiscord, Interaction
from tests.fakes.http_server import FakeHttpServer, Reply

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
MANAGER = (1 << 5) | (1 << 10) | (1 << 11)  # Manage Server, View Channel, Send Messages
MEMBER = (1 << 10) | (1 << 11)


def settings_for(api: FakeDiscord, **own: Any) -> DiscordSettings:
    """DISCORD_* for the fake (no .env)."""
    values = {"bot_token": api.token, "application_id": api.application_id,
              "api_base_url": api.base_url} | own  # fmt: skip
    return DiscordSettings(_env_file=None, **values)


@dataclass
class DiscordRig:
    """The adapter, the fake Discord and the bot behind them."""

    adapter: DiscordAdapter
    api: FakeDiscord
    testbot: TestBot

    async def answered(self, interaction: Interaction, count: int = 1) -> list[dict[str, Any]]:
        """Wait until the interaction's answers are in: the original, then follow-ups."""

        def answers() -> list[dict[str, Any]]:
            original = interaction.original
            first = [original] if original and not original.get("pending") else []
            return first + interaction.followups

        await self.api.wait_until(lambda: len(answers()) >= count)
        return answers()


@asynccontextmanager
async def discord_rig(
    db: Database, feeds: FakeHttpServer, api: FakeDiscord | None = None, **overrides: Any
) -> AsyncIterator[DiscordRig]:
    """Start the fake Discord and the adapter over a bot serving the recorded feed."""
    feeds.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    feeds.route_prefix("/html/", Reply("gone", status=404))
    feeds.route_prefix("/pdf/", Reply("gone", status=404))
    api = api or FakeDiscord()
    await api.start()
    values: dict[str, Any] = {
        "adapters": "discord",
        "arxiv_rss_url": f"{feeds.url}/rss/",
        "arxiv_html_url": f"{feeds.url}/html/",
        "arxiv_pdf_url": f"{feeds.url}/pdf/",
    }
    testbot = await make_testbot(db, bot_settings(**(values | overrides)))
    adapter = DiscordAdapter(settings_for(api), testbot.app.bot, keys=RequestKeys(db))
    try:
        await adapter.start()
        try:
            yield DiscordRig(adapter, api, testbot)
        finally:
            await adapter.stop()
    finally:
        await testbot.app.http.aclose()
        await api.stop()
