"""HTTP mode: an aiohttp server handing Slack's signed POSTs at /slack/events to the bolt app.

Bolt verifies each request's signature and refuses timestamps more than five minutes off;
on top of that a request whose exact (timestamp, signature) was already accepted is refused
as a replay. Refusals are HTTP 401. With an OAuth flow (multi-workspace), bolt's install and
redirect pages are served too (GET /slack/install, GET /slack/oauth_redirect).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.dedupe import RecentKeys

EVENTS_PATH = "/slack/events"


class SlackHttpServer:
    """Serves one bolt app on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(self, app: AsyncApp) -> None:
        self._app = app
        self._accepted = RecentKeys()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 3000) -> int:
        """Listen; return the bound port."""
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self.handle)
        flow = self._app.oauth_flow
        if flow is not None:
            web_app.router.add_get(flow.install_path, self.install)
            web_app.router.add_get(flow.redirect_uri_path, self.oauth_redirect)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        """Refuse replays, then let bolt verify and dispatch the request."""
        key = (
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
        )
        if key in self._accepted:
            return web.Response(status=401, text="replayed request")
        bolt_request = AsyncBoltRequest(
            body=await request.text(),
            query=request.query_string,
            headers=dict(request.headers),
        )
        response = await self._app.async_dispatch(bolt_request)
        if response.status != 401:
            self._accepted.seen(key)
        return await to_aiohttp_response(response)

    async def install(self, request: web.Request) -> web.Response:
        """Start an install: bolt issues a state and redirects to Slack's authorize URL."""
        assert self._app.oauth_flow is not None
        response = await self._app.oauth_flow.handle_installation(_bolt_get(request))
        return await to_aiohttp_response(response)

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        """Finish an install: bolt checks the state, exchanges the code and stores the bot."""
        assert self._app.oauth_flow is not None
        response = await self._app.oauth_flow.handle_callback(_bolt_get(request))
        return await to_aiohttp_response(response)


def _bolt_get(request: web.Request) -> AsyncBoltRequest:
    """A GET request (query string and headers, cookies included) for bolt's OAuth flow."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
