"""The app manifest asks for what the adapter uses: the command, scopes, events, Socket Mode."""

from __future__ import annotations

import re
from pathlib import Path

import adapters.slack
from adapters.slack.settings import SlackSettings

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yaml"


def listed(text: str) -> set[str]:
    return set(re.findall(r"^\s+- (\S+)$", text, re.MULTILINE))


def test_manifest_matches_the_adapter() -> None:
    text = MANIFEST.read_text()
    assert f"- command: {SlackSettings(_env_file=None).command}\n" in text
    scopes = {
        "commands",
        "chat:write",
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "im:history",
        "reactions:write",
        "channels:read",
        "groups:read",
        "files:write",  # the weekly briefing's chart
    }
    events = {"app_mention", "message.channels", "message.groups", "message.im",
              "member_joined_channel", "channel_left", "group_left"}  # fmt: skip
    assert scopes | events <= listed(text)
    assert "socket_mode_enabled: true" in text
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
