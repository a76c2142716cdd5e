"""Discord's own settings (DISCORD_*): checked when ADAPTERS names discord, in one line."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.app import DiscordAdapter
from adapters.discord.settings import DEFAULT_API, DiscordSettings
from bot.adapter import AdapterSettingsError
from bot.app import App, create_app
from bot.store.db import Database
from paperbot.invalid import InvalidSettings
from paperbot.run import HttpOptions, make_adapters
from tests.botharness import bot_settings

TOKEN = "MTMwMDAw.secret-part.abcdef"
GOOD = {"bot_token": TOKEN, "application_id": "1300000000000000001"}


def test_defaults_point_at_discord() -> None:
    settings = DiscordSettings(_env_file=None)
    assert settings.api_base_url == DEFAULT_API == "https://discord.com/api/v10"
    assert settings.command_name == "papers" and settings.bot_token == ""


def test_read_from_the_environment_with_their_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "42")
    monkeypatch.setenv("DISCORD_API_BASE_URL", "http://127.0.0.1:9/api/v10/")
    settings = DiscordSettings(_env_file=None)
    settings.check()
    assert settings.base_url == "http://127.0.0.1:9/api/v10"


@pytest.mark.parametrize(
    ("changes", "named"),
    [({"bot_token": ""}, "DISCORD_BOT_TOKEN"), ({"application_id": ""}, "DISCORD_APPLICATION_ID"),
     ({"application_id": "my-app"}, "DISCORD_APPLICATION_ID"),
     ({"api_base_url": "discord.com/api"}, "DISCORD_API_BASE_URL"),
     ({"command": "Papers Now"}, "DISCORD_COMMAND")],
)  # fmt: skip
def test_a_bad_setting_is_named_in_one_line_without_secrets(
    changes: dict[str, str], named: str
) -> None:
    with pytest.raises(AdapterSettingsError) as raised:
        DiscordSettings(_env_file=None, **(GOOD | changes)).check()
    message = str(raised.value)
    assert named in message and "\n" not in message and "secret-part" not in message


@pytest.fixture
async def app(db: Database) -> AsyncIterator[App]:
    application = await create_app(bot_settings(adapters="discord"), db=db)
    try:
        yield application
    finally:
        await application.http.aclose()


def test_adapters_discord_needs_its_settings(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # no .env
    with pytest.raises(InvalidSettings, match="DISCORD_BOT_TOKEN"):
        make_adapters(app, HttpOptions(enabled=False))
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "1300000000000000001")
    built = make_adapters(app, HttpOptions(enabled=False))
    assert isinstance(built["discord"], DiscordAdapter)
