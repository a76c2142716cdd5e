"""The LLM client against a loopback fake server: JSON modes, retries, timeouts, concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import openai
import pytest

from bot.config import Settings
from bot.llm.client import FormatRejected, JsonSchema, LLMClient, LLMError, LLMTimeout
from bot.llm.retry import RetryPolicy, is_format_rejection, retry_after
from tests.fakes.clock import RecordingSleep
from tests.fakes.openai_server import (
    Completion,
    Failure,
    FakeOpenAIServer,
    rate_limited,
    running_openai_server,
)

SCHEMA = JsonSchema("thing", {"type": "object", "properties": {"a": {"type": "integer"}}})
ASK = [{"role": "user", "content": "Reply in JSON."}]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        yield fake


def make_client(
    fake: FakeOpenAIServer,
    sleeps: RecordingSleep,
    *,
    timeout: float = 5.0,
    concurrency: int = 4,
    max_seconds: float = 30.0,
) -> LLMClient:
    settings = Settings(
        _env_file=None, llm_base_url=fake.base_url, llm_model="m", llm_timeout=timeout,
        llm_concurrency=concurrency, llm_max_seconds=max_seconds,
    )  # fmt: skip
    policy = RetryPolicy(attempts=3, backoff=1.0)
    return LLMClient.from_settings(settings, policy=policy, sleep=sleeps)


async def test_json_schema_is_sent_and_usage_read(server: FakeOpenAIServer) -> None:
    server.script(Completion('{"a": 1}', prompt_tokens=11, completion_tokens=3))
    client = make_client(server, RecordingSleep())
    result = await client.complete_json(ASK, model="m", schema=SCHEMA)
    await client.close()
    assert (result.content, result.prompt_tokens, result.completion_tokens) == ('{"a": 1}', 11, 3)
    assert result.mode == "json_schema"
    sent = server.bodies[0]["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {
        "name": "thing", "schema": SCHEMA.schema, "strict": True}}  # fmt: skip
    assert server.bodies[0]["model"] == "m"


async def test_server_without_json_schema_gets_json_mode_and_it_is_remembered() -> None:
    async with running_openai_server(json_schema=False) as fake:
        fake.script(Completion('{"a": 1}'))
        client = make_client(fake, RecordingSleep())
        first = await client.complete_json(ASK, model="m", schema=SCHEMA)
        second = await client.complete_json(ASK, model="m", schema=SCHEMA)
        await client.close()
    assert first.mode == second.mode == client.json_mode == "json_object"
    assert fake.response_formats() == ["json_schema", "json_object", "json_object"]


async def test_429_waits_as_long_as_retry_after_says(server: FakeOpenAIServer) -> None:
    server.script(rate_limited("7"), Completion("{}"))
    sleeps = RecordingSleep()
    client = make_client(server, sleeps)
    result = await client.chat(ASK, model="m")
    await client.close()
    assert sleeps.calls == [7.0]
    assert result.content == "{}" and server.calls == 2


async def test_retry_after_is_capped_and_dates_are_understood(server: FakeOpenAIServer) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    server.script(rate_limited("3600"), rate_limited(soon), Completion("{}"))
    sleeps = RecordingSleep()
    client = make_client(server, sleeps)
    await client.chat(ASK, model="m")
    await client.close()
    assert sleeps.calls[0] == 30.0
    assert 9 <= sleeps.calls[1] <= 12


async def test_503_with_retry_after_is_retried(server: FakeOpenAIServer) -> None:
    server.script(Failure(503, "overloaded", {"Retry-After": "2"}), Completion("{}"))
    sleeps = RecordingSleep()
    client = make_client(server, sleeps)
    await client.chat(ASK, model="m")
    await client.close()
    assert sleeps.calls == [2.0]


async def test_500_is_retried_with_backoff_then_given_up(server: FakeOpenAIServer) -> None:
    server.script(Failure(500, "boom"))
    sleeps = RecordingSleep()
    client = make_client(server, sleeps)
    with pytest.raises(LLMError) as caught:
        await client.chat(ASK, model="m")
    await client.close()
    assert caught.value.status == 500
    assert server.calls == 3 and sleeps.calls == [1.0, 2.0]


async def test_500_then_success(server: FakeOpenAIServer) -> None:
    server.script(Failure(500), Completion("ok"))
    client = make_client(server, RecordingSleep())
    assert (await client.chat(ASK, model="m")).content == "ok"
    await client.close()


async def test_slow_server_times_out_without_retry(server: FakeOpenAIServer) -> None:
    server.script(Completion("{}", delay=1.0))
    sleeps = RecordingSleep()
    client = make_client(server, sleeps, timeout=0.2, max_seconds=0.3)
    with pytest.raises(LLMTimeout):
        await client.chat(ASK, model="m")
    await client.close()
    assert server.calls == 1 and sleeps.calls == []


async def test_other_400s_are_errors_and_keep_the_json_mode(server: FakeOpenAIServer) -> None:
    server.script(Failure(400, "This model's maximum context length is 8192 tokens"))
    client = make_client(server, RecordingSleep())
    with pytest.raises(LLMError) as caught:
        await client.complete_json(ASK, model="m", schema=SCHEMA)
    await client.close()
    assert not isinstance(caught.value, FormatRejected)
    assert client.json_mode == "json_schema" and server.calls == 1


async def test_concurrency_is_capped(server: FakeOpenAIServer) -> None:
    server.script(Completion("{}", delay=0.1))
    client = make_client(server, RecordingSleep(), concurrency=2)
    await asyncio.gather(*(client.chat(ASK, model="m") for _ in range(6)))
    await client.close()
    assert server.max_in_flight == 2 and server.calls == 6


def _status_error(
    status: int, body: object, headers: dict[str, str] | None = None
) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, headers=headers or {}, request=request, json=body)
    message = f"Error code: {status} - {json.dumps(body)}"
    return openai.APIStatusError(message, response=response, body=body)


@pytest.mark.parametrize(
    ("status", "message", "rejected"),
    [
        (400, "response_format.type json_schema is not supported", True),  # llama.cpp-like
        (400, "invalid response format: unsupported type 'json_schema'", True),  # Ollama-like
        (422, "body.response_format: Input should be 'text' or 'json_object'", True),
        (400, "maximum context length exceeded", False),
        (500, "response_format crashed the server", False),
    ],
)
def test_format_rejection_detection(status: int, message: str, rejected: bool) -> None:
    assert is_format_rejection(_status_error(status, {"message": message})) is rejected


def test_retry_after_prefers_milliseconds() -> None:
    error = _status_error(429, {}, {"retry-after-ms": "1500", "retry-after": "9"})
    assert retry_after(error) == 1.5
    assert retry_after(_status_error(429, {}, {"retry-after": "soon"})) is None
    assert retry_after(ValueError()) is None
