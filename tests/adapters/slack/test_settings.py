"""Slack settings: needed only when ADAPTERS names slack, and the message says which."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings


def test_slack_settings_default_off() -> None:
    settings = Settings(_env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.slack_command == "/papers"
    assert settings.slack_bot_token == ""


def test_bot_token_required_with_slack() -> None:
    with pytest.raises(ValidationError, match="SLACK_BOT_TOKEN"):
        Settings(_env_file=None, adapters="console,slack", slack_app_token="xapp-1")


def test_a_connection_mode_is_required() -> None:
    with pytest.raises(
        ValidationError, match=r"SLACK_APP_TOKEN .* Socket Mode.*SLACK_SIGNING_SECRET"
    ):
        Settings(_env_file=None, adapters="slack", slack_bot_token="xoxb-1")


@pytest.mark.parametrize("mode", [{"slack_app_token": "xapp-1"}, {"slack_signing_secret": "s"}])
def test_either_mode_is_enough(mode: dict[str, str]) -> None:
    settings = Settings(_env_file=None, adapters="slack", slack_bot_token="xoxb-1", **mode)
    assert settings.enabled_adapters == ("slack",)
