"""What `paperbot run --http` serves besides the adapters' own routes: health, metrics, feeds.

`GET /healthz` answers while the event loop runs (liveness). `GET /readyz` answers 200 once
the database answers and every adapter has started, 503 otherwise (readiness). `/metrics` is
`bot.metrics` in Prometheus's text format; the channel feeds are `paperbot.web`'s. When Slack
runs over HTTP these routes share its server (one port); otherwise they get a server of their
own on `--port`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.config import Settings
from bot.metrics import CommandMetrics, store_registry
from bot.store.db import Database
from paperbot.web import feed_routes

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def health_routes(db: Database, adapters_ready: Callable[[], bool]) -> list[web.RouteDef]:
    """/healthz and /readyz for this process."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        problems = []
        try:
            async with db.session() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception as error:  # any failure to answer means not ready
            problems.append(f"database: {type(error).__name__}")
        if not adapters_ready():
            problems.append("adapters: not all started")
        status = 503 if problems else 200
        body = {"status": "ready" if not problems else "not ready", "problems": problems}
        return web.json_response(body, status=status)

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]


def metrics_routes(
    db: Database, commands: CommandMetrics | None, clock: Callable[[], datetime] = _now
) -> list[web.RouteDef]:
    """/metrics in Prometheus's text format (`clock` dates the delivery-lag window)."""

    async def metrics(_request: web.Request) -> web.Response:
        body = generate_latest(await store_registry(db, clock()))
        if commands is not None:
            body += generate_latest(commands.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", metrics)]


def core_routes(
    db: Database,
    settings: Settings,
    adapters_ready: Callable[[], bool],
    commands: CommandMetrics | None = None,
    clock: Callable[[], datetime] = _now,
) -> list[web.RouteDef]:
    """Every route the core serves under `--http`."""
    return [
        *health_routes(db, adapters_ready),
        *metrics_routes(db, commands, clock),
        *feed_routes(db, settings),
    ]


class CoreHttpServer:
    """An aiohttp server for `routes` on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(self, routes: Sequence[web.RouteDef]) -> None:
        self._routes = list(routes)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listen; return the bound port."""
        app = web.Application()
        app.add_routes(self._routes)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]
        log.info("http listening", port=self.port, routes="healthz, readyz, metrics, feeds")
        return self.port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
