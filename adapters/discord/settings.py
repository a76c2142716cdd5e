"""The Discord adapter's own settings (DISCORD_*), read from the environment and `.env`."""

from __future__ import annotations

from pydantic_settings import BaseSettings

from bot.adapter import AdapterSettingsError, settings_config

DEFAULT_API = "https://discord.com/api/v10"


class DiscordSettings(BaseSettings):
    """DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and the REST base (a fake's, in tests)."""

    model_config = settings_config("DISCORD_")

    bot_token: str = ""
    application_id: str = ""
    api_base_url: str = DEFAULT_API
    command: str = "papers"

    def check(self) -> None:
        """Raise AdapterSettingsError when these settings cannot run the adapter."""
        if not self.bot_token.strip():
            raise AdapterSettingsError(
                "ADAPTERS includes discord, but DISCORD_BOT_TOKEN (the bot's token) is not set"
            )
        if not self.application_id.strip().isdigit():
            raise AdapterSettingsError(
                "DISCORD_APPLICATION_ID must be the application's numeric id "
                "(General Information in the Developer Portal)"
            )
        if not self.api_base_url.startswith(("https://", "http://")):
            raise AdapterSettingsError(
                "DISCORD_API_BASE_URL must be an http(s) URL such as https://discord.com/api/v10"
            )
        name = self.command.strip().lstrip("/")
        if not (name and name.islower() and len(name) <= 32 and " " not in name):
            raise AdapterSettingsError(
                "DISCORD_COMMAND must be a lowercase slash-command name of 1-32 characters"
            )

    @property
    def base_url(self) -> str:
        """The REST base without a trailing slash."""
        return self.api_base_url.rstrip("/")

    @property
    def command_name(self) -> str:
        """The slash command's name, without the slash."""
        return self.command.strip().lstrip("/")
