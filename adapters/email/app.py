"""The e-mail adapter: sends digests by mail, and serves its links' pages on the `--http` port.

There is nothing to receive: addresses are subscribed from the command line (`paperbot email
subscribe`), and people act through the signed links in each mail.
"""

from __future__ import annotations

from aiohttp import web

from adapters.email.sender import EmailSender
from adapters.email.settings import EmailSettings
from adapters.email.web import email_routes
from bot.adapter import AdapterContext


class EmailAdapter:
    """Mails digests through SMTP; its routes unsubscribe and answer questions."""

    def __init__(self, settings: EmailSettings, context: AdapterContext) -> None:
        public_url = context.settings.public_url
        self._sender = EmailSender(settings, public_url, ask_links=context.http)
        self.http_routes: list[web.RouteDef] = email_routes(context.bot, settings.link_secret)

    @property
    def sender(self) -> EmailSender:
        """Mails posts to the address a conversation names."""
        return self._sender

    async def start(self) -> None:
        """Nothing to connect: each mail opens its own SMTP connection."""

    async def stop(self) -> None:
        """Nothing to disconnect."""


def build(context: AdapterContext) -> EmailAdapter:
    """The adapter from SMTP_* and PUBLIC_URL (AdapterSettingsError when they cannot run it)."""
    settings = EmailSettings()
    settings.check(context.settings.public_url)
    return EmailAdapter(settings, context)
