"""The Matrix adapter's own settings (MATRIX_*), read from the environment and `.env`."""

from __future__ import annotations

import re

from pydantic import Field
from pydantic_settings import BaseSettings

from bot.adapter import AdapterSettingsError, settings_config

USER_ID = re.compile(r"^@[^:\s]+:\S+$")


class MatrixSettings(BaseSettings):
    """Which homeserver, which account (a token, or a password to log in) and how to listen."""

    model_config = settings_config("MATRIX_")

    homeserver_url: str = ""  # e.g. https://matrix.example.org (the client-server API base)
    user_id: str = ""  # the bot's account, @paperbot:example.org
    access_token: str = ""  # preferred; else the bot logs in with the password
    password: str = ""
    device_id: str = "PAPERBOT"  # fixed, so transaction ids dedupe across logins
    store_path: str = ""  # a file keeping the sync token between runs; empty: none kept
    command_prefix: str = "!papers"
    admin_power_level: int = Field(50, ge=0)  # who may change a room's settings
    sync_timeout: float = Field(30.0, gt=0)  # seconds a long-poll /sync waits
    max_retries: int = Field(3, ge=0)  # sends retried after M_LIMIT_EXCEEDED
    max_retry_wait: float = Field(60.0, gt=0)  # the longest wait honoured (seconds)

    def check(self) -> None:
        """Raise AdapterSettingsError when these settings cannot run the adapter."""
        if not self.homeserver_url:
            raise AdapterSettingsError(
                "ADAPTERS includes matrix, but MATRIX_HOMESERVER_URL is not set"
            )
        if not self.homeserver_url.startswith(("https://", "http://")):
            raise AdapterSettingsError("MATRIX_HOMESERVER_URL must start with https:// or http://")
        if not USER_ID.match(self.user_id):
            raise AdapterSettingsError(
                "ADAPTERS includes matrix: set MATRIX_USER_ID to the bot's @name:server id"
            )
        if not self.access_token and not self.password:
            raise AdapterSettingsError(
                "ADAPTERS includes matrix: set MATRIX_ACCESS_TOKEN, or MATRIX_PASSWORD to log in"
            )
        if not self.command_prefix.strip() or " " in self.command_prefix.strip():
            raise AdapterSettingsError("MATRIX_COMMAND_PREFIX must be one word, like !papers")
