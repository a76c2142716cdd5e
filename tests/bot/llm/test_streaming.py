"""The client against the fake's real-model failure modes: every reply is streamed, so a
never-ending or stalled stream is cut, a slow but steady one is not, a queued call is not
timed out by another's runaway, and the tokens of a cut call are still tallied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.llm.client import LLMClient, LLMRunaway, LLMTimeout
from bot.llm.retry import RetryPolicy
from bot.llm.stream import Tally
from tests.fakes.clock import RecordingSleep
from tests.fakes.openai_server import Completion, FakeOpenAIServer, running_openai_server

ASK = [{"role": "user", "content": "Summarize this abstract, please, in JSON."}]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        yield fake


def client_for(fake: FakeOpenAIServer, **settings: float | int) -> LLMClient:
    values = {"llm_timeout": 0.5, "llm_max_seconds": 20.0, **settings}
    config = Settings(_env_file=None, llm_base_url=fake.base_url, llm_model="m", **values)
    return LLMClient.from_settings(config, policy=RetryPolicy(attempts=3), sleep=RecordingSleep())


async def test_request_streams_with_temperature_and_max_tokens(server: FakeOpenAIServer) -> None:
    server.script(Completion('{"a": 1}', prompt_tokens=30, completion_tokens=4))
    client = client_for(server, llm_temperature=0.1)
    reply = await client.chat(ASK, model="m", max_tokens=120)
    await client.close()
    body = server.bodies[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["temperature"], body["max_tokens"]) == (0.1, 120)
    assert (reply.content, reply.prompt_tokens, reply.completion_tokens) == ('{"a": 1}', 30, 4)
    assert reply.finish_reason == "stop" and not reply.cut_off


async def test_never_ending_stream_is_cut_and_its_tokens_tallied(
    server: FakeOpenAIServer,
) -> None:
    server.script(Completion('{"a": "', endless=True))
    client = client_for(server)
    tally = Tally()
    with pytest.raises(LLMRunaway):
        await client.chat(ASK, model="m", max_tokens=40, tally=tally)
    await client.close()
    assert server.calls == 1  # not retried
    assert tally.estimated and tally.completion_tokens >= 40 and tally.prompt_tokens > 0


async def test_stall_mid_stream_times_out_after_the_idle_timeout(
    server: FakeOpenAIServer,
) -> None:
    server.script(Completion('{"one_line": "a summary that stops"}', stall_after=3))
    client = client_for(server, llm_timeout=0.3)
    tally = Tally()
    with pytest.raises(LLMTimeout, match="no token"):
        await client.chat(ASK, model="m", tally=tally)
    await client.close()
    assert server.calls == 1 and tally.completion_tokens == 3


async def test_slow_steady_stream_outlives_the_idle_timeout(server: FakeOpenAIServer) -> None:
    text = '{"one_line": "slow but steady tokens keep the call alive"}'
    server.script(Completion(text, completion_tokens=16, tokens_per_second=20))  # ~0.8 s
    client = client_for(server, llm_timeout=0.3)
    reply = await client.chat(ASK, model="m")
    await client.close()
    assert reply.content == text
    assert client.speed.generation_tps is not None and 10 < client.speed.generation_tps < 40


async def test_long_prompt_read_before_the_first_token_is_not_a_stall(
    server: FakeOpenAIServer,
) -> None:
    server.script(Completion('{"a": 1}', prompt_seconds=0.8))  # llama.cpp reading the prompt
    client = client_for(server, llm_timeout=0.2)
    reply = await client.chat(ASK, model="m")
    await client.close()
    assert reply.content == '{"a": 1}'


async def test_cut_json_at_max_tokens_says_length(server: FakeOpenAIServer) -> None:
    server.script(Completion('{"one_line": "' + "word " * 200 + '"}', completion_tokens=250))
    client = client_for(server)
    reply = await client.chat(ASK, model="m", max_tokens=50)
    await client.close()
    assert reply.cut_off and reply.completion_tokens == 50 and not reply.content.endswith("}")


async def test_total_cap_bounds_a_call(server: FakeOpenAIServer) -> None:
    server.script(Completion("x" * 400, completion_tokens=100, tokens_per_second=50))  # 2 s
    client = client_for(server, llm_timeout=1.0, llm_max_seconds=0.5)
    tally = Tally()
    with pytest.raises(LLMTimeout):
        await client.chat(ASK, model="m", tally=tally)
    await client.close()
    assert 0 < tally.completion_tokens < 100


async def test_one_slot_queue_does_not_time_out_the_waiting_calls() -> None:
    async with running_openai_server(slots=1) as fake:
        fake.script(Completion("y" * 40, completion_tokens=10, tokens_per_second=25))  # 0.4 s
        client = client_for(fake, llm_timeout=0.3, llm_concurrency=4)
        replies = await asyncio.gather(*(client.chat(ASK, model="m") for _ in range(4)))
        await client.close()
    # each waited up to ~1.2 s in the server's queue, longer than the 0.3 s idle timeout
    assert [r.content for r in replies] == ["y" * 40] * 4
    assert fake.max_in_flight == 1 and fake.calls == 4


async def test_cancelled_call_keeps_its_tally(server: FakeOpenAIServer) -> None:
    server.script(Completion("z" * 400, completion_tokens=100, tokens_per_second=40))
    client = client_for(server, llm_timeout=1.0)
    tally = Tally()
    task = asyncio.create_task(client.chat(ASK, model="m", tally=tally))
    await server.wait_for_calls(1)
    async with asyncio.timeout(5):
        while tally.completion_tokens < 5:
            await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()
    assert tally.estimated and tally.prompt_tokens > 0 and tally.completion_tokens >= 5
