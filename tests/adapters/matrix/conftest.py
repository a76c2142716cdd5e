"""The Matrix rig: a bot account on the session's Synapse (tests/conftest.py), the bot behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store.db import Database
from tests.adapters.matrix.rig import MatrixRig, matrix_rig
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.synapse import Account, Synapse


@pytest.fixture
async def rig(
    db: Database, http_server: FakeHttpServer, synapse: Synapse, people: tuple[Account, Account]
) -> AsyncIterator[MatrixRig]:
    """A fresh bot account syncing with the homeserver, the whole bot behind it."""
    async with matrix_rig(db, http_server, synapse, people) as running:
        yield running
