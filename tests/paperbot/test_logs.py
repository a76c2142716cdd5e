"""Structured logs never carry tokens."""

from __future__ import annotations

import logging

import pytest
import structlog

from paperbot.logs import configure_logging, redact


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


@pytest.mark.usefixtures("restored_logging")
def test_stdlib_records_are_redacted_escaped_and_httpx_is_quiet(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOME_SERVICE_PASSWORD", "hunter2-but-longer")
    configure_logging("INFO")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    logging.getLogger("httpx").info("HTTP Request: POST /bot123456789:%s/getUpdates", "A" * 35)
    logging.getLogger("some.lib").warning(
        "login with %s and xoxp-1-2-3\n[error] FAKE LOG LINE %s", "hunter2-but-longer", "x" * 9000
    )
    err = capsys.readouterr().err
    assert "hunter2" not in err and "xoxp-1" not in err and "HTTP Request" not in err
    assert "\n[error] FAKE" not in err and "\\n[error] FAKE" in err
    assert max(len(line) for line in err.splitlines()) < 2_200
    configure_logging("DEBUG")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.DEBUG


@pytest.mark.usefixtures("restored_logging")
def test_no_colour_codes_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    structlog.get_logger("t").warning("source unreachable", source="arxiv")
    err = capsys.readouterr().err
    assert "source unreachable" in err and "\x1b[" not in err


@pytest.mark.usefixtures("restored_logging")
def test_migration_and_scheduler_chatter_only_at_debug() -> None:
    configure_logging("INFO")
    for name in ("alembic.runtime.migration", "apscheduler.scheduler"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    configure_logging("DEBUG")
    assert logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.DEBUG)


@pytest.mark.usefixtures("restored_logging")
def test_a_library_logger_set_to_debug_stays_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    chatty = logging.getLogger("chatty.lib")
    chatty.setLevel(logging.DEBUG)  # as bm25s does at import
    chatty.debug("Building index from tokens")
    chatty.warning("a real problem")
    err = capsys.readouterr().err
    assert "Building index" not in err and "a real problem" in err
