"""A generic loopback HTTP server on 127.0.0.1:0 with scripted routes and a request log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Reply:
    """A canned response: status, body and headers."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml"
    delay: float = 0.0


@dataclass
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class FakeHttpServer:
    """Serves scripted replies per path; a path may have a queue of replies (last one repeats)."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], list[Reply | Handler]] = {}
        self._prefix_routes: list[tuple[str, str, list[Reply | Handler]]] = []
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.request_event = asyncio.Event()

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def route(self, path: str, *replies: Reply | Handler, method: str = "GET") -> None:
        """Serve these replies at `path`, in order; the last one repeats."""
        self._routes[(method, path)] = list(replies)

    def route_prefix(self, prefix: str, *replies: Reply | Handler, method: str = "GET") -> None:
        """Serve these replies at every path starting with `prefix`."""
        self._prefix_routes.append((method, prefix, list(replies)))

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        """The recorded requests whose path starts with `path_prefix`."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            RecordedRequest(
                request.method, request.path, dict(request.query), dict(request.headers), body
            )
        )
        self.request_event.set()
        queue = self._routes.get((request.method, request.path))
        if queue is None:
            for method, prefix, replies in self._prefix_routes:
                if method == request.method and request.path.startswith(prefix):
                    queue = replies
                    break
        if not queue:
            return web.Response(status=404, text="no route")
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Reply):
            return await _respond(item)
        return await item(request)

    async def start(self) -> FakeHttpServer:
        """Start listening on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def _respond(reply: Reply) -> web.Response:
    if reply.delay:
        await asyncio.sleep(reply.delay)
    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
    return web.Response(
        status=reply.status, body=body, headers=reply.headers, content_type=reply.content_type
    )
