"""Shared test fixtures: recorded data paths and a loopback HTTP server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store.db import Database
from tests.databases import POSTGRES_URL_ENV, postgres_database, postgres_url, sqlite_database
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.synapse import PYTHON_ENV, Account, Synapse, synapse_python

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database: SQLite, and Postgres when PAPERBOT_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as (database, _url):
            yield database
        return
    url = postgres_url()
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the Postgres suite must run, but {POSTGRES_URL_ENV} is unset")
        pytest.skip(f"Postgres suite skipped: {POSTGRES_URL_ENV} is not set")
    async with postgres_database(url) as (database, _schema):
        yield database


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One real Matrix homeserver per test session (per xdist worker), in its own directory on a
    free port."""
    python = synapse_python()
    if not python.exists():
        reason = f"Synapse not found at {python} (set {PYTHON_ENV} to its venv's python)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the Matrix tests must run, but {reason}")
        pytest.skip(reason)
    server = Synapse(tmp_path_factory.mktemp("synapse"), python).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def people(synapse: Synapse) -> tuple[Account, Account]:
    """alice (a server admin, who creates the test rooms) and bob (an ordinary user)."""
    return synapse.register("alice", admin=True), synapse.register("bob")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the Postgres suite ran."""
    if postgres_url() is None:
        terminalreporter.write_line(
            f"NOTE: the Postgres suite was SKIPPED ({POSTGRES_URL_ENV} is not set)", yellow=True
        )
    else:
        terminalreporter.write_line(f"Postgres suite ran against {postgres_url()}")
