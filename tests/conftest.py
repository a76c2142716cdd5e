"""Shared test fixtures: recorded data paths and a loopback HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.http_server import FakeHttpServer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures"
REFERENCE = SHARED / "reference"


@pytest.fixture
def fixtures_dir() -> Path:
    """The recorded fixtures in ../shared/fixtures."""
    assert FIXTURES.is_dir(), f"recorded fixtures not found at {FIXTURES}"
    return FIXTURES


@pytest.fixture
def reference_dir() -> Path:
    """The reference outputs in ../shared/reference."""
    assert REFERENCE.is_dir(), f"reference data not found at {REFERENCE}"
    return REFERENCE


@pytest.fixture
async def http_server() -> AsyncIterator[FakeHttpServer]:
    """A started loopback HTTP server with no routes yet."""
    server = await FakeHttpServer().start()
    try:
        yield server
    finally:
        await server.stop()
