"""A thin async client for an OpenAI-compatible chat API: our retries, a concurrency cap,
and JSON output that degrades from json_schema to json_object to a prompt-only request
when a server rejects the richer `response_format` (the answer is remembered per client).

Every reply is streamed with `temperature` and `max_tokens` sent: LLM_TIMEOUT bounds the
silence between chunks (a slow model that keeps writing is never cut off, a stalled one
is), LLM_MAX_SECONDS the whole call including a wait in the server's queue, and a reply
running far past max_tokens is cut here. A caller's `Tally` is kept up while the reply
streams, so a call that fails or is cancelled midway still says what it cost (estimated),
and each finished call feeds `speed`, the server's measured tokens per second.
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
from bot.llm.speed import ServerSpeed, estimate_prompt_tokens
from bot.llm.stream import StreamReader, StreamRunaway, StreamStalled, Tally

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


class LLMRunaway(LLMError):
    """The reply ran far past max_tokens (a server that ignores it, a looping model)."""


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
    finish_reason: str = "stop"

    @property
    def cut_off(self) -> bool:
        """True when the server stopped the reply at max_tokens (its text is incomplete)."""
        return self.finish_reason == "length"


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
        idle: float = 60.0,
        max_seconds: float = 600.0,
        temperature: float | None = 0.2,
    ) -> None:
        self._api = api
        self._limit = asyncio.Semaphore(concurrency)
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._mode = 0  # index into JSON_MODES: the richest mode not yet refused
        self.idle = idle
        self.max_seconds = max_seconds
        self.temperature = temperature
        self.speed = ServerSpeed()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, policy: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep
    ) -> LLMClient:
        """A client for LLM_BASE_URL / LLM_API_KEY, with the SDK's own retries off."""
        api = openai.AsyncOpenAI(
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_max_seconds,  # per read; the idle timeout is ours
            max_retries=0,
        )
        return cls(
            api, concurrency=settings.llm_concurrency, policy=policy, sleep=sleep,
            idle=settings.llm_timeout, max_seconds=settings.llm_max_seconds,
            temperature=settings.llm_temperature,
        )  # fmt: skip

    @property
    def json_mode(self) -> str:
        """The JSON mode the next `complete_json` starts with (json_schema until refused)."""
        return JSON_MODES[self._mode]

    async def close(self) -> None:
        """Close the underlying HTTP client."""
        await self._api.close()

    async def complete_json(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        schema: JsonSchema,
        max_tokens: int | None = None,
        tally: Tally | None = None,
    ) -> ChatResult:
        """Ask for JSON output in the richest mode the server accepts; the text is unchecked."""
        while True:
            mode = JSON_MODES[self._mode]
            try:
                return await self.chat(
                    messages, model=model, response_format=_format(mode, schema),
                    max_tokens=max_tokens, tally=tally,
                )  # fmt: skip
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
        max_tokens: int | None = None,
        tally: Tally | None = None,
    ) -> ChatResult:
        """One streamed chat completion, retried on 429/5xx/connection errors; raises
        `LLMError`. `tally` (if given) gets the tokens of every attempt, even a failed one."""
        call = _Call(list(messages), model, response_format, max_tokens, tally or Tally())
        try:
            return await self._with_retries(call)
        except (openai.APITimeoutError, StreamStalled, TimeoutError) as error:
            raise LLMTimeout(f"LLM request timed out ({error or 'total cap'})") from error
        except StreamRunaway as error:
            raise LLMRunaway(str(error)) from error
        except openai.APIStatusError as error:
            kind = FormatRejected if is_format_rejection(error) else LLMError
            message = f"HTTP {error.status_code}: {error.message}"
            raise kind(message, status=error.status_code) from error
        except openai.OpenAIError as error:
            raise LLMError(f"LLM request failed: {error}") from error

    async def _with_retries(self, call: _Call) -> ChatResult:
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
                return await self._once(call)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _once(self, call: _Call) -> ChatResult:
        reader = StreamReader(self.idle, call.max_tokens, call.tally)
        try:
            async with self._limit:
                await self._stream(call, reader)
        except BaseException:
            if reader.chunks:  # a cut call still shows how fast the server writes
                self.speed.observe(reader.timing())
            raise
        self.speed.observe(reader.timing())
        return ChatResult(
            content=reader.content,
            prompt_tokens=reader.prompt_tokens,
            completion_tokens=reader.completion_tokens,
            model=reader.model or call.model,
            mode=_mode_of(call.response_format),
            finish_reason=reader.finish_reason or "stop",
        )

    async def _stream(self, call: _Call, reader: StreamReader) -> None:
        """Send the request and read its stream within the total cap (tally kept up)."""
        async with asyncio.timeout(self.max_seconds):
            stream = await self._api.chat.completions.create(
                model=call.model,
                messages=call.messages,  # type: ignore[arg-type]
                stream=True,
                stream_options={"include_usage": True},
                **call.options(self.temperature),
            )
            reader.sent(estimate_prompt_tokens(call.messages))
            try:
                await reader.read(stream)
            finally:
                await stream.close()

    def _step_down(self, mode: str, error: FormatRejected) -> None:
        if JSON_MODES[self._mode] == mode:
            self._mode += 1
            log.info("llm.json_mode_downgraded", refused=mode, now=self.json_mode, error=str(error))


@dataclass(frozen=True)
class _Call:
    """One logical call: what to send, and the tally its attempts add to."""

    messages: list[Message]
    model: str
    response_format: dict[str, Any] | None
    max_tokens: int | None
    tally: Tally

    def options(self, temperature: float | None) -> dict[str, Any]:
        """The optional request fields that are set."""
        extra: dict[str, Any] = {}
        if self.response_format:
            extra["response_format"] = self.response_format
        if self.max_tokens:
            extra["max_tokens"] = self.max_tokens
        if temperature is not None:
            extra["temperature"] = temperature
        return extra


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
