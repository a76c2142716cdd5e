"""A small run of the delivery benchmark, so that it cannot rot."""

from __future__ import annotations

from bench.delivery import run


async def test_every_message_arrives_on_both_fakes() -> None:
    results = {r.platform: r for r in await run(channels=4, papers=2)}
    assert set(results) == {"slack", "telegram"}
    for result in results.values():
        assert result.messages == 4 * (1 + 2)
        assert result.rate > 0 and result.platform in result.row()
