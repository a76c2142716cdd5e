"""The jobs tests' store (the recorded quant-ph day) and real deliveries made from it."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.models import Channel
from bot.store.db import Database
from jobs import deliver
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel, app, delivery_for

__all__ = ["app"]


@pytest.fixture
async def delivered(app: App, db: Database) -> tuple[Channel, PlatformRecorder]:
    """A channel that received its scheduled digest of 2025-04-28 (ten quant-ph papers)."""
    channel = await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformRecorder()
    outcome = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert [o.status for o in outcome] == ["sent"]
    return channel, platform
