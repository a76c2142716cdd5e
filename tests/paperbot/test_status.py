"""`paperbot status`: last and next digest, papers delivered and problems, per channel."""

from __future__ import annotations

from bot.app import App
from bot.store.db import Database
from jobs import deliver
from paperbot.status import status_table
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel, delivery_for


async def test_status_after_a_delivery_and_a_removed_channel(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    await add_channel(db, "gone", "cat:quant-ph")
    platform = PlatformRecorder(gone={"gone"})
    await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    table = status_table_lines(await status_table(db, MONDAY_8_BERLIN))
    assert table["test:lab"][:2] == ["active", "2025-04-28 sent"]
    assert table["test:lab"][2].startswith("2025-04-29 08:00")
    assert table["test:lab"][3] == "10"
    assert table["test:gone"][:2] == ["inactive", "2025-04-28 unavailable"]
    assert "not_in_channel" in " ".join(table["test:gone"])


def status_table_lines(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines()[1:]:
        cells = [c for c in line.split("  ") if c.strip()]
        rows[cells[0].strip()] = [c.strip() for c in cells[1:]]
    return rows
