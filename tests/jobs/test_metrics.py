"""/metrics, scraped over HTTP after a scheduled digest and parsed with prometheus-client's
own parser (issue 20)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import func, select

from bot.app import App
from bot.models import Paper
from bot.store.db import Database
from jobs import deliver
from paperbot.server import CoreHttpServer, core_routes
from tests.botharness import bot_settings, make_testbot
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel, delivery_for


async def scrape(app: App) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics serves, by (name, sorted labels)."""
    deps = app.bot.deps
    routes = core_routes(app.db, bot_settings(), lambda: True, deps.metrics, deps.clock)
    server = CoreHttpServer(routes)
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        await server.stop()
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_metrics_after_a_digest_and_commands(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    outcome = await deliver.run(db, delivery_for(app), {"test": PlatformRecorder()},
                                now=MONDAY_8_BERLIN)  # fmt: skip
    assert [o.status for o in outcome] == ["sent"]
    testbot = await make_testbot(db, bot_settings())
    try:
        await testbot.exec_command("/topics")
        await testbot.exec_command("/nonsense here")
        samples = await scrape(testbot.app)
    finally:
        await testbot.app.aclose()
    async with db.session() as session:
        stored = (await session.exec(select(func.count()).select_from(Paper))).one()
    assert samples[("paperbot_papers_stored", ())] == stored > 0
    assert samples[("paperbot_deliveries_total", (("kind", "daily"), ("status", "sent")))] == 1
    assert samples[("paperbot_paper_posts_total", (("platform", "test"),))] == 10
    assert samples[("paperbot_delivery_lag_seconds_count", ())] == 1
    assert samples[("paperbot_delivery_lag_seconds_bucket", (("le", "+Inf"),))] == 1
    topics = ("paperbot_command_seconds_count", (("command", "topics"),))
    assert samples[topics] == 1
    assert samples[("paperbot_command_seconds_count", (("command", "other"),))] == 1
