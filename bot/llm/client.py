"""A thin async client for an OpenAI-compatible chat API: our retries, a concurrency cap,
and JSON output that degrades from json_schema to json_object to a prompt-only request
when a server rejects the richer `response_format` (the answer is remembered per client).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.config import Settings
from bot.llm.retry import RetryPolicy, is_format_rejection, is_retryable

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Message = dict[str, str]
JSON_MODES = ("json_schema", "json_object", "plain")


class LLMError(Exception):
    """An LLM call failed for good (after any retries); `status` is the HTTP status if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMTimeout(LLMError):
    """The server did not answer within the per-request timeout."""


class FormatRejected(LLMError):
    """The server refused the request's `response_format` (HTTP 400/422)."""


@dataclass(frozen=True)
class ChatResult:
    """One completion: its text, the tokens it cost, and the JSON mode it was asked in."""

    content: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    mode: str = "plain"


@dataclass(frozen=True)
class JsonSchema:
    """A named JSON schema for structured output."""

    name: str
    schema: dict[str, Any]
    strict: bool = True


class LLMClient:
    """Chat completions with our own retries (tenacity) and at most `concurrency` in flight."""

    def __init__(
        self,
        api: openai.AsyncOpenAI,
        *,
        concurrency: int = 4,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._api = api
        self._limit = asyncio.Semaphore(concurrency)
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._mode = 0  # index into JSON_MODES: the richest mode not yet refused

    @classmethod
    def from_settings(
        cls, settings: Settings, *, policy: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep
    ) -> LLMClient:
        """A client for LLM_BASE_URL / LLM_API_KEY, with the SDK's own retries off."""
        api = openai.AsyncOpenAI(
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,
        )
        return cls(api, concurrency=settings.llm_concurrency, policy=policy, sleep=sleep)

    @property
    def json_mode(self) -> str:
        """The JSON mode the next `complete_json` starts with (json_schema until refused)."""
        return JSON_MODES[self._mode]

    async def close(self) -> None:
        """Close the underlying HTTP client."""
        await self._api.close()

    async def complete_json(
        self, messages: Sequence[Message], *, model: str, schema: JsonSchema
    ) -> ChatResult:
        """Ask for JSON output in the richest mode the server accepts; the text is unchecked."""
        while True:
            mode = JSON_MODES[self._mode]
            try:
                return await self.chat(messages, model=model, response_format=_format(mode, schema))
            except FormatRejected as error:
                if mode == JSON_MODES[-1]:
                    raise
                self._step_down(mode, error)

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        response_format: dict[str, Any] | None = None,
    ) -> ChatResult:
        """One chat completion, retried on 429/5xx/connection errors; raises `LLMError`."""
        try:
            return await self._with_retries(messages, model, response_format)
        except openai.APITimeoutError as error:
            raise LLMTimeout("LLM request timed out") from error
        except openai.APIStatusError as error:
            kind = FormatRejected if is_format_rejection(error) else LLMError
            message = f"HTTP {error.status_code}: {error.message}"
            raise kind(message, status=error.status_code) from error
        except openai.OpenAIError as error:
            raise LLMError(f"LLM request failed: {error}") from error

    async def _with_retries(
        self, messages: Sequence[Message], model: str, response_format: dict[str, Any] | None
    ) -> ChatResult:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._policy.attempts),
            wait=self._policy.wait,
            retry=retry_if_exception(is_retryable),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(messages, model, response_format)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _once(
        self, messages: Sequence[Message], model: str, response_format: dict[str, Any] | None
    ) -> ChatResult:
        extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
        async with self._limit:
            response = await self._api.chat.completions.create(
                model=model,
                messages=list(messages),  # type: ignore[arg-type]
                **extra,
            )
        usage = response.usage
        content = response.choices[0].message.content if response.choices else None
        return ChatResult(
            content=content or "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            model=response.model or model,
            mode=_mode_of(response_format),
        )

    def _step_down(self, mode: str, error: FormatRejected) -> None:
        if JSON_MODES[self._mode] == mode:
            self._mode += 1
            log.info("llm.json_mode_downgraded", refused=mode, now=self.json_mode, error=str(error))


def _format(mode: str, schema: JsonSchema) -> dict[str, Any] | None:
    if mode == "json_schema":
        spec = {"name": schema.name, "schema": schema.schema, "strict": schema.strict}
        return {"type": "json_schema", "json_schema": spec}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _mode_of(response_format: dict[str, Any] | None) -> str:
    return str(response_format["type"]) if response_format else "plain"


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else None
    log.warning("llm.retry", attempt=state.attempt_number, wait=wait, error=str(error))
