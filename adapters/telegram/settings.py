"""The Telegram adapter's own settings (TELEGRAM_*), read from the environment and `.env`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from bot.adapter import AdapterSettingsError, settings_config


class TelegramSettings(BaseSettings):
    """TELEGRAM_BOT_TOKEN; with TELEGRAM_WEBHOOK_URL a webhook instead of long polling."""

    model_config = settings_config("TELEGRAM_")

    bot_token: str = ""
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_port: int = Field(8443, ge=1, le=65535)
    paid_broadcast: bool = False  # allow_paid_broadcast on scheduled posts: up to 1,000/s, paid

    def check(self) -> None:
        """Raise AdapterSettingsError when these settings cannot run the adapter."""
        if not self.bot_token:
            raise AdapterSettingsError(
                "ADAPTERS includes telegram, but TELEGRAM_BOT_TOKEN (from @BotFather) is not set"
            )
        if self.webhook_url and not self.webhook_secret:
            raise AdapterSettingsError(
                "TELEGRAM_WEBHOOK_URL is set: also set TELEGRAM_WEBHOOK_SECRET "
                "(1-256 of A-Z a-z 0-9 _ -) so forged updates are refused"
            )
