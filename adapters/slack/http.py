"""HTTP mode: an aiohttp server handing Slack's signed POSTs at /slack/events to the bolt app.

Bolt verifies each request's signature and refuses timestamps more than five minutes off;
on top of that a request whose exact (timestamp, signature) was already taken, by this or
any replica and before a restart too (the keys are in the database), is refused as a
replay. Refusals are HTTP 401. With an OAuth flow (multi-workspace), bolt's install and
redirect pages are served too (GET /slack/install, GET /slack/oauth_redirect).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.dedupe import MemoryKeys, SeenKeys

log = structlog.get_logger(__name__)
EVENTS_PATH = "/slack/events"
REQUEST_TTL = timedelta(minutes=10)  # bolt refuses timestamps over five minutes off anyway
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; more is refused with 413
TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")
SIGNATURE_RE = re.compile(r"^v0=[0-9a-f]{64}$")


class SlackHttpServer:
    """Serves one bolt app on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(
        self,
        app: AsyncApp,
        *,
        signing_secret: str = "",
        keys: SeenKeys | None = None,
        routes: Sequence[web.RouteDef] = (),
    ) -> None:
        self._app = app
        self._routes = list(routes)  # the core's own (health, feeds): one port for all
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._keys = keys or MemoryKeys()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 3000) -> int:
        """Listen; return the bound port."""
        web_app = web.Application(client_max_size=MAX_BODY)
        web_app.router.add_post(EVENTS_PATH, self.handle)
        web_app.add_routes(self._routes)
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
        """Refuse malformed requests and replays (in the shared store), then let bolt dispatch."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (TIMESTAMP_RE.match(timestamp) and SIGNATURE_RE.match(signature)):
            return web.Response(status=401, text="invalid request")  # unsigned: nothing logged
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="the body is not UTF-8")
        if not self._signed(body, timestamp, signature):
            return web.Response(status=401, text="invalid request")  # bolt logs nothing either
        if not await self._keys.first("slack_request", f"{timestamp}:{signature}", REQUEST_TTL):
            return web.Response(status=401, text="replayed request")
        try:
            if not well_formed(body, request.content_type):
                raise ValueError("not a Slack payload")
            bolt_request = AsyncBoltRequest(  # parses the body
                body=body, query=request.query_string, headers=dict(request.headers)
            )
            response = await self._app.async_dispatch(bolt_request)
        except Exception as error:  # signed, but unreadable: bad JSON, payload=garbage, nesting
            log.warning("slack request malformed", error=type(error).__name__, size=len(body))
            return web.Response(status=400, text="malformed request")
        if response.status >= 500:
            log.warning("slack request malformed", status=response.status, size=len(body))
            return web.Response(status=400, text="malformed request")
        return await to_aiohttp_response(response)

    def _signed(self, body: str, timestamp: str, signature: str) -> bool:
        """A valid, current signature (only those are remembered: forgeries cost nothing)."""
        if self._verifier is None or not timestamp or not signature:
            return False
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except (ValueError, TypeError):
            return False

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


def well_formed(body: str, content_type: str) -> bool:
    """Whether a body is what Slack sends: a JSON object, or a form (whose payload is one)."""
    try:
        if content_type == "application/json" or body.startswith("{"):
            return isinstance(json.loads(body), dict)
        payload = parse_qs(body).get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except (ValueError, RecursionError):
        return False


def _bolt_get(request: web.Request) -> AsyncBoltRequest:
    """A GET request (query string and headers, cookies included) for bolt's OAuth flow."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
