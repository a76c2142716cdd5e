"""structlog set-up: key-value or JSON lines on stderr, tokens never printed."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

SECRET_RE = re.compile(r"(xox[abposr]-[\w-]+|xapp-[\w-]+|\d{6,}:[\w-]{30,}|sk-[\w-]{16,})")


def redact(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Mask anything that looks like a Slack, Telegram or OpenAI token."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = SECRET_RE.sub("***", value)
    return event


def configure_logging(level: str, fmt: str = "console") -> None:
    """Send structured logs to stderr at `level`."""
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(message)s")
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
