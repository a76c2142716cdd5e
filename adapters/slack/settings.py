"""The Slack adapter's own settings (SLACK_*), read from the environment and `.env`."""

from __future__ import annotations

from pydantic_settings import BaseSettings

from bot.adapter import AdapterSettingsError, settings_config


class SlackSettings(BaseSettings):
    """SLACK_BOT_TOKEN and the rest: one workspace by token, or several by OAuth install."""

    model_config = settings_config("SLACK_")

    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    api_url: str = "https://slack.com/api/"
    command: str = "/papers"
    client_id: str = ""
    client_secret: str = ""

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace Slack: the OAuth install flow (HTTP mode) instead of one bot token."""
        return bool(self.client_id and self.client_secret)

    def check(self, *, http: bool = True) -> None:
        """Raise AdapterSettingsError when these cannot run the adapter (`http`: `--http`)."""
        if self.oauth_enabled:
            if not self.signing_secret:
                raise AdapterSettingsError(
                    "SLACK_CLIENT_ID (OAuth install) needs SLACK_SIGNING_SECRET"
                )
            if not http:
                raise AdapterSettingsError(
                    "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (installs in several workspaces) "
                    "need `paperbot run --http`: Slack sends the installs over HTTP"
                )
            return
        if not self.bot_token:
            raise AdapterSettingsError(
                "ADAPTERS includes slack, but SLACK_BOT_TOKEN (xoxb-…) is not set"
            )
        if not (self.app_token or self.signing_secret):
            raise AdapterSettingsError(
                "ADAPTERS includes slack: set SLACK_APP_TOKEN (xapp-…) for Socket Mode, "
                "or SLACK_SIGNING_SECRET for HTTP mode (Events API request URL)"
            )
