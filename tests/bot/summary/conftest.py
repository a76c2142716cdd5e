"""The LLM summarizer's rig: a real client pointed at the loopback fake OpenAI server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import Settings
from bot.llm.client import LLMClient
from bot.llm.retry import RetryPolicy
from bot.store.db import Database
from bot.store.usage import UsageRecorder
from bot.summary.llm import LLMSummarizer
from bot.summary.offline import OfflineSummarizer
from tests.fakes.clock import RecordingSleep
from tests.fakes.openai_server import FakeOpenAIServer, running_openai_server


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        yield fake


@pytest.fixture(scope="module")
def offline() -> OfflineSummarizer:
    return OfflineSummarizer()


class Rig:
    """A summarizer wired to the fake server and the test database."""

    def __init__(
        self,
        fake: FakeOpenAIServer,
        db: Database,
        offline: OfflineSummarizer,
        *,
        attempts: int = 3,
        deadline: float | None = None,
        **settings: Any,
    ) -> None:
        config = Settings(
            _env_file=None,
            llm_base_url=fake.base_url,
            llm_model="test-model",
            **{"llm_timeout": 5.0, **settings},
        )
        self.sleeps = RecordingSleep()
        self.client = LLMClient.from_settings(
            config, policy=RetryPolicy(attempts=attempts, backoff=0.5), sleep=self.sleeps
        )
        self.usage = UsageRecorder(db)
        self.summarizer = LLMSummarizer(self.client, config, offline, self.usage, deadline=deadline)


@pytest.fixture
async def rig_factory(
    server: FakeOpenAIServer, db: Database, offline: OfflineSummarizer
) -> AsyncIterator[Any]:
    rigs: list[Rig] = []

    def make(fake: FakeOpenAIServer = server, **settings: Any) -> Rig:
        rigs.append(Rig(fake, db, offline, **settings))
        return rigs[-1]

    yield make
    for rig in rigs:
        await rig.client.close()
