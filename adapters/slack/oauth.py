"""Multi-workspace Slack: the OAuth install flow and each workspace's bot token.

With SLACK_CLIENT_ID/SLACK_CLIENT_SECRET set and HTTP mode, bolt serves /slack/install (a
redirect to Slack's authorize URL with a one-time state) and /slack/oauth_redirect (the code
exchanged by oauth.v2.access). Installations and OAuth states live in our database, in
slack-sdk's async SQLAlchemy stores: their tables (slack_installations, slack_bots,
slack_oauth_states) are created by the stores' own metadata, not by our migrations.
"""

from __future__ import annotations

import re
from pathlib import Path

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.settings import SlackSettings

MANIFEST = Path(__file__).parent / "manifest.yaml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600


def manifest_bot_scopes(text: str | None = None) -> list[str]:
    """The bot scopes the app manifest asks for (its `oauth_config.scopes.bot` list)."""
    text = MANIFEST.read_text() if text is None else text
    block = re.search(r"^ +bot:\n((?: +- \S+\n)+)", text, re.MULTILINE)
    return re.findall(r"- (\S+)", block.group(1)) if block else []


class OAuthStores:
    """The installation and OAuth state stores on our database engine."""

    def __init__(self, settings: SlackSettings, engine: AsyncEngine) -> None:
        self.installations = AsyncSQLAlchemyInstallationStore(
            client_id=settings.client_id, engine=engine
        )
        self.states = AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=engine
        )

    async def create_tables(self) -> None:
        """Create the stores' tables if missing (idempotent)."""
        await self.installations.create_tables()
        await self.states.create_tables()

    def oauth_settings(self, settings: SlackSettings) -> AsyncOAuthSettings:
        """Bolt's OAuth settings: our paths and scopes, a redirect (no page) to Slack."""
        return AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=manifest_bot_scopes(),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            install_page_rendering_enabled=False,
            installation_store=self.installations,
            state_store=self.states,
        )
