"""Structured logs never carry tokens."""

from __future__ import annotations

from paperbot.logs import redact


def test_tokens_are_masked_in_every_field() -> None:
    event = {
        "event": "posting with xoxb-1234-5678-abcdefghijkl",
        "app_token": "xapp-1-A0-123-abc",
        "url": "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
        "key": "sk-proj-abcdefghijklmnopqrstuvwxyz",
        "channel_id": 42,
    }
    cleaned = redact(None, "info", dict(event))
    text = repr(cleaned)
    for secret in ("xoxb-1234", "xapp-1-A0", "AAHdqTcvCH1vGWJx", "sk-proj-abcdef"):
        assert secret not in text
    assert cleaned["channel_id"] == 42 and "***" in cleaned["event"]
