"""When to retry an LLM call and how long to wait: Retry-After first, else backoff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import openai
from tenacity import RetryCallState

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
FORMAT_REJECTION_STATUSES = frozenset({400, 422})
FORMAT_WORDS = ("response_format", "response format", "json_schema", "json schema", "json_object")


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts in all, the backoff base, and the cap on any one wait (seconds)."""

    attempts: int = 3
    backoff: float = 1.0
    max_wait: float = 30.0

    def wait(self, state: RetryCallState) -> float:
        """The server's Retry-After when given (capped), else exponential backoff (capped)."""
        error = state.outcome.exception() if state.outcome is not None else None
        hinted = retry_after(error)
        if hinted is None:
            hinted = self.backoff * 2 ** (state.attempt_number - 1)
        return max(0.0, min(hinted, self.max_wait))


def is_retryable(error: BaseException) -> bool:
    """429, 5xx gateway/server errors and dropped connections; never a timeout."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRY_STATUSES
    if isinstance(error, openai.APITimeoutError):
        return False
    return isinstance(error, openai.APIConnectionError)


def retry_after(error: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms` or `Retry-After`), if any."""
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    seconds = _number(value)
    if seconds is not None or not value:
        return seconds
    return _seconds_until(value)


def is_format_rejection(error: openai.APIStatusError) -> bool:
    """True when a 400/422 says the server does not accept our `response_format`.

    vLLM, Ollama, llama.cpp and LM Studio word this differently, so any mention of
    response_format / json_schema / json_object in the message or body counts.
    """
    if error.status_code not in FORMAT_REJECTION_STATUSES:
        return False
    text = f"{error.message} {_body_text(error.body)}".lower()
    return any(word in text for word in FORMAT_WORDS)


def _body_text(body: object) -> str:
    if isinstance(body, str):
        return body
    try:
        return json.dumps(body, default=str)
    except (TypeError, ValueError):
        return str(body)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _seconds_until(http_date: str) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
