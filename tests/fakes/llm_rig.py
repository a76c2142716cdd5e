"""Settings and a real `LLMClient` pointed at the loopback fake OpenAI server, for LLM features."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.config import Settings
from bot.llm.client import LLMClient
from bot.llm.retry import RetryPolicy
from tests.fakes.clock import RecordingSleep
from tests.fakes.openai_server import FakeOpenAIServer

MODEL = "test-model"


def llm_settings(fake: FakeOpenAIServer, **overrides: Any) -> Settings:
    """Settings that reach `fake` with model "test-model" and a 5 s timeout; override any."""
    values: dict[str, Any] = {
        "llm_base_url": fake.base_url,
        "llm_model": MODEL,
        "llm_timeout": 5.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def llm_client(settings: Settings, *, attempts: int = 3) -> AsyncIterator[LLMClient]:
    """A client for `settings` whose retries never really sleep; closed on exit."""
    client = LLMClient.from_settings(
        settings, policy=RetryPolicy(attempts=attempts, backoff=0.5), sleep=RecordingSleep()
    )
    try:
        yield client
    finally:
        await client.close()


def user_prompt(fake: FakeOpenAIServer, call: int = 0) -> str:
    """The user message of the `call`-th request."""
    return _message(fake, call, "user")


def system_prompt(fake: FakeOpenAIServer, call: int = 0) -> str:
    """The system message of the `call`-th request."""
    return _message(fake, call, "system")


def _message(fake: FakeOpenAIServer, call: int, role: str) -> str:
    return next(m["content"] for m in fake.bodies[call]["messages"] if m["role"] == role)
