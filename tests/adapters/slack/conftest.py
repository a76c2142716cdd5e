"""Slack fixtures: the fake Web API and a real AsyncWebClient pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.sender import RetryAfterHandler
from tests.fakes.clock import RecordingSleep
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    """A started fake Slack Web API."""
    api = await FakeSlackApi().start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
def recording_sleep() -> RecordingSleep:
    """Retry-After waits, recorded instead of slept."""
    return RecordingSleep()


@pytest.fixture
def slack_client(slack_api: FakeSlackApi, recording_sleep: RecordingSleep) -> AsyncWebClient:
    """A real AsyncWebClient on the fake, retrying 429s through the recording sleep."""
    return AsyncWebClient(
        token="xoxb-test",
        base_url=slack_api.url,
        retry_handlers=[RetryAfterHandler(sleep=recording_sleep)],
    )
