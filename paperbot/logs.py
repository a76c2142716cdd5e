"""Logging set-up: structlog and stdlib records on stderr, with every secret masked.

Redaction happens on the final text of every record (structlog's and the standard library's,
tracebacks included), by value (each configured token, key, secret and password) and by shape
(Slack `xox?-`/`xapp-` tokens, Telegram bot tokens, `sk-` keys), so a library that logs a URL
with a token in it (httpx, python-telegram-bot) cannot leak it. httpx and httpcore log at
WARNING unless DEBUG is asked for.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import structlog

MASK = "***"
SECRET_RE = re.compile(
    r"(xox[a-z]-[\w-]+|xapp-[\w-]+|\d{6,}:[\w-]{30,}|sk-[\w-]{16,})", re.IGNORECASE
)
SECRET_NAME_RE = re.compile(r"(TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
MIN_SECRET_LENGTH = 6
MAX_MESSAGE = 2000  # characters of one logged message or field (a forged body can be 1 MB)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
QUIET_LIBRARIES = ("httpx", "httpcore", "alembic", "apscheduler")  # DEBUG shows them


class Redactor:
    """Masks known secret values and anything shaped like a token in a piece of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len)
        self._values = tuple(reversed(values))  # longest first, so no secret is half-masked

    def __call__(self, text: str) -> str:
        """The text with every secret replaced by ***."""
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return SECRET_RE.sub(MASK, text)


def secret_values(settings: Any = None, env: Mapping[str, str] | None = None) -> list[str]:
    """Every configured secret: settings fields and environment/.env entries named like one."""
    found: list[str] = []
    sources: list[Mapping[str, Any]] = [dict(os.environ if env is None else env)]
    if env is None:
        sources.append(_dotenv(Path(".env")))
    if settings is not None:
        sources.append(settings.model_dump())
    for source in sources:
        for name, value in source.items():
            if not isinstance(value, str) or not value:
                continue
            if SECRET_NAME_RE.search(name):
                found.append(value)
            elif name.lower().endswith("_url"):
                found.extend(_url_password(value))
    return found


def _url_password(url: str) -> list[str]:
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [password] if password else []


def _dotenv(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        from dotenv import dotenv_values

        return {k: v for k, v in dotenv_values(path).items() if v}
    except Exception:  # an unreadable .env must not stop logging being set up
        return {}


_REDACTOR = Redactor()


def escape(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line: control characters (newlines too) escaped, cut at `limit` characters.

    So text from a request (signed or not) can neither forge log lines nor flood them.
    """
    if len(text) > limit:
        text = f"{text[:limit]}… [{len(text) - limit} more characters]"
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def escape_fields(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: every string field but the traceback on one bounded line."""
    for key, value in event.items():
        if isinstance(value, str) and key not in ("exception", "stack"):
            event[key] = escape(value)
    return event


def redact(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask secrets in every string field."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = _REDACTOR(value)
    return event


class RedactingFormatter(logging.Formatter):
    """A stdlib formatter whose whole output (message and traceback) is redacted."""

    def __init__(self, redactor: Redactor, fmt: str = "%(message)s"):
        super().__init__(fmt)
        self._redactor = redactor

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The message on one bounded line (libraries log request bodies)."""
        record.message = escape(self._redactor(record.message))  # masked before it is cut
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, secrets masked."""
        return self._redactor(super().format(record))


def _redacting_renderer(renderer: Any, redactor: Redactor) -> Any:
    def render(logger: Any, name: str, event: dict[str, Any]) -> str:
        return redactor(str(renderer(logger, name, event)))

    return render


def install_excepthook(redactor: Redactor) -> None:
    """Uncaught exceptions print a redacted traceback."""
    import traceback

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(redactor(text))

    sys.excepthook = hook


def configure_logging(level: str, fmt: str = "console", settings: Any = None) -> Redactor:
    """Send structured and stdlib logs to stderr at `level`, every secret masked."""
    global _REDACTOR
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    redactor = Redactor(secret_values(settings))
    _REDACTOR = redactor
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(redactor))
    handler.setLevel(numeric)  # libraries that set their own logger to DEBUG (bm25s) stay quiet
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    quiet = logging.DEBUG if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            redact,
            escape_fields,
            _redacting_renderer(renderer, redactor),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
    install_excepthook(redactor)
    return redactor
