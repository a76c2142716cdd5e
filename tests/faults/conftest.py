"""Fixtures for the fault tests: a fresh Postgres database the bot processes can use."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.databases import postgres_url


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    """A new empty Postgres database for the bot processes, dropped afterwards."""
    base = postgres_url()
    if base is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the Postgres fault test must run")
        pytest.skip("Postgres suite skipped: PAPERBOT_TEST_POSTGRES_URL is not set")
    name = f"paperbot_fault_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect("postgresql://" + base.split("://", 1)[1])
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
