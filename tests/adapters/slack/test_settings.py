"""Slack's own settings (SLACK_*): needed only when ADAPTERS names slack; the message says which."""

from __future__ import annotations

import pytest

from adapters.slack.settings import SlackSettings


def test_slack_settings_default_off() -> None:
    settings = SlackSettings(_env_file=None)
    assert settings.api_url == "https://slack.com/api/"
    assert settings.command == "/papers"
    assert settings.bot_token == "" and not settings.oauth_enabled


def test_read_from_the_environment_with_their_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("SLACK_COMMAND", "/lab")
    settings = SlackSettings(_env_file=None)
    assert (settings.bot_token, settings.command) == ("xoxb-env", "/lab")


def test_bot_token_required_with_slack() -> None:
    with pytest.raises(ValueError, match="SLACK_BOT_TOKEN"):
        SlackSettings(_env_file=None, app_token="xapp-1").check()


def test_a_connection_mode_is_required() -> None:
    with pytest.raises(ValueError, match=r"SLACK_APP_TOKEN .* Socket Mode.*SLACK_SIGNING_SECRET"):
        SlackSettings(_env_file=None, bot_token="xoxb-1").check()


@pytest.mark.parametrize("mode", [{"app_token": "xapp-1"}, {"signing_secret": "s"}])
def test_either_mode_is_enough(mode: dict[str, str]) -> None:
    SlackSettings(_env_file=None, bot_token="xoxb-1", **mode).check()


def test_oauth_needs_a_signing_secret_and_http() -> None:
    oauth = {"client_id": "1.2", "client_secret": "s"}
    with pytest.raises(ValueError, match="needs SLACK_SIGNING_SECRET"):
        SlackSettings(_env_file=None, **oauth).check()
    with pytest.raises(ValueError, match="need `paperbot run --http`"):
        SlackSettings(_env_file=None, signing_secret="x", **oauth).check(http=False)
    SlackSettings(_env_file=None, signing_secret="x", **oauth).check(http=True)
