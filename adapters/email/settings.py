"""The e-mail adapter's own settings (SMTP_*), read from the environment and `.env`."""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings

from bot.adapter import AdapterSettingsError, settings_config

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class EmailSettings(BaseSettings):
    """The SMTP server digests go out through, who they come from, and how links are signed."""

    model_config = settings_config("SMTP_")

    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"  # tls: implicit TLS (port 465)
    user: str = ""
    password: str = ""
    from_address: str = Field("", validation_alias="SMTP_FROM")
    reply_to: str = ""  # where replies go (a person); empty: no Reply-To header
    link_secret: str = ""  # signs unsubscribe and ask links; at least 16 characters
    timeout: float = Field(30.0, gt=0)
    ca_file: str = ""  # PEM bundle of the CA that signed the server's certificate (a private CA)

    def check(self, public_url: str) -> None:
        """Raise AdapterSettingsError when these settings cannot run the adapter."""
        if not self.host or not self.from_address:
            raise AdapterSettingsError(
                "ADAPTERS includes email, but SMTP_HOST and SMTP_FROM are not both set"
            )
        if "@" not in parseaddr(self.from_address)[1]:
            raise AdapterSettingsError("SMTP_FROM is not an e-mail address")
        if len(self.link_secret) < 16:
            raise AdapterSettingsError(
                "ADAPTERS includes email: set SMTP_LINK_SECRET (16 or more random characters); "
                "it signs the one-click unsubscribe link every mail carries"
            )
        if self.ca_file and not Path(self.ca_file).is_file():
            raise AdapterSettingsError(f"SMTP_CA_FILE is not a readable file: {self.ca_file}")
        if self.password and self.security == "none" and self.host not in LOOPBACK:
            raise AdapterSettingsError(
                "SMTP_PASSWORD is set with SMTP_SECURITY=none: the password would cross the "
                "network in clear; use starttls or tls"
            )
        if not public_url.startswith(("https://", "http://")):
            raise AdapterSettingsError(
                "ADAPTERS includes email: set PUBLIC_URL to where `paperbot run --http` is "
                "reached, so each mail's unsubscribe link works"
            )
