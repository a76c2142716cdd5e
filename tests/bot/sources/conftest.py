"""Fixtures for the source tests: fast settings, a recording sleep and a fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.sources.http import HttpFetcher
from tests.fakes.clock import RecordingSleep


def make_settings(**overrides: object) -> Settings:
    """Settings with tiny timeouts/backoff for loopback tests (no .env is read)."""
    values: dict[str, object] = {
        "http_timeout": 2.0,
        "http_retries": 4,
        "http_backoff": 0.5,
        "http_backoff_max": 30.0,
        "arxiv_api_min_interval": 3.0,
        "contact_email": "tests@example.org",
        "feed_allowed_hosts": "127.0.0.1",  # the loopback fakes; the SSRF guard refuses them
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def sleeps() -> RecordingSleep:
    """The recording sleep injected into `fetcher`."""
    return RecordingSleep()


@pytest.fixture
async def fetcher(sleeps: RecordingSleep) -> AsyncIterator[HttpFetcher]:
    """An HttpFetcher with test settings whose sleeps never wait."""
    async with HttpFetcher(make_settings(), sleep=sleeps, clock=sleeps.clock) as http:
        yield http
