"""`paperbot run`: the adapters named in ADAPTERS and the scheduler, on one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiohttp import web

from adapters import CONSOLE as CONSOLE_ADAPTER
from adapters import builder, known_adapters, unknown_adapters
from adapters.console import CONSOLE, ConsoleSender, run_console
from bot.adapter import Adapter, AdapterContext, AdapterSettingsError, serves_http
from bot.app import App, create_app
from bot.config import Settings
from bot.messages import Sender
from bot.store.keys import RequestKeys
from jobs.scheduler import Jobs
from paperbot.invalid import InvalidSettings
from paperbot.server import CoreHttpServer, core_routes

log = structlog.get_logger(__name__)


@dataclass
class HttpOptions:
    """`--http --port N`: health, feeds and the adapters that take HTTP, on one port."""

    enabled: bool = False
    port: int = 3000


@dataclass
class Running:
    """What a running bot holds, for a clean shutdown."""

    app: App
    adapters: list[Adapter] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    server: CoreHttpServer | None = None  # health and feeds, when no adapter serves them
    started: bool = False  # every adapter is up (readiness)


def make_adapters(
    app: App, http: HttpOptions, routes: list[web.RouteDef] | None = None
) -> dict[str, Adapter]:
    """The chat adapters named in ADAPTERS, built through the registry (the console is run by
    `run` itself). `routes` (the core's) is extended in place with each adapter's
    `http_routes`; whichever server the port has serves the whole list."""
    names = [n for n in app.settings.enabled_adapters if n != CONSOLE_ADAPTER]
    unknown = unknown_adapters(tuple(names))
    if unknown:
        raise InvalidSettings(
            f"ADAPTERS names unknown adapters {unknown}; known: {', '.join(known_adapters())}"
        )
    served = routes if routes is not None else []  # the core's, then adapters' `http_routes`
    context = AdapterContext(app.settings, app.bot, app.db, RequestKeys(app.db),
                             http=http.enabled, port=http.port, routes=served)  # fmt: skip
    adapters: dict[str, Adapter] = {}
    for name in names:
        try:
            adapters[name] = builder(name)(context)
        except AdapterSettingsError as error:
            raise InvalidSettings(str(error)) from error
    if http.enabled:
        for adapter in adapters.values():
            served.extend(getattr(adapter, "http_routes", ()))
    return adapters


async def run(settings: Settings, http: HttpOptions) -> int:
    """Start everything, run until SIGTERM/SIGINT (or console EOF with only the console)."""
    app = await create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    running = Running(app)
    ready = lambda: running.started  # noqa: E731
    deps = app.bot.deps
    routes = core_routes(app.db, settings, ready, deps.metrics, deps.clock) if http.enabled else []
    adapters = make_adapters(app, http, routes)
    senders: dict[str, Sender] = {name: a.sender for name, a in adapters.items()}
    try:
        for adapter in adapters.values():
            await adapter.start()
            running.adapters.append(adapter)
        running.started = True
        if http.enabled and not any(serves_http(a) for a in adapters.values()):
            running.server = CoreHttpServer(routes)
            await running.server.start("0.0.0.0", http.port)
        if CONSOLE_ADAPTER in settings.enabled_adapters:
            senders["console"] = ConsoleSender(sys.stdout)
            running.tasks.append(asyncio.create_task(_console(app, stop, bool(adapters))))
        jobs = Jobs(app, senders, settings.replica)
        jobs.build().start()
        log.info("paperbot running", adapters=list(settings.enabled_adapters),
                 replica=settings.replica)  # fmt: skip
        await stop.wait()
        await jobs.stop()
    finally:
        await _shutdown(running)
    return 0


async def _console(app: App, stop: asyncio.Event, others: bool) -> None:
    """The console REPL; at end of input it stops the bot unless other adapters run."""
    await run_console(app.bot, conversation=CONSOLE)
    if not others and sys.stdin.isatty():
        stop.set()


async def _shutdown(running: Running) -> None:
    """Finish (or cancel, telling their users) the commands under way, then stop everything."""
    grace = running.app.settings.shutdown_grace_seconds
    with contextlib.suppress(Exception):
        await running.app.bot.inflight.drain(grace)
    for task in running.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for adapter in reversed(running.adapters):
        with contextlib.suppress(Exception):
            await adapter.stop()
    if running.server is not None:
        await running.server.stop()
    await running.app.aclose()
    log.info("paperbot stopped")
