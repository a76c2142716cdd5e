"""The core's own HTTP routes for `paperbot run --http`: each channel's private feeds.

`GET /feeds/<token>.atom` and `/feeds/<token>.json` serve the channel's Atom feed and JSON
Feed; an unknown token is a plain 404 (the same for a reset one), and a client that sends
the ETag it has gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import re

from aiohttp import web

from bot.config import Settings
from bot.feeds.service import FORMATS, channel_feed, feed_urls, recent
from bot.store.db import Database
from bot.store.feeds import channel_for_token

FEED_PATH = "/feeds/{name}"
_NAME = re.compile(r"^([A-Za-z0-9_-]{16,64})\.(atom|json)$")


def feed_routes(db: Database, settings: Settings) -> list[web.RouteDef]:
    """The routes serving channel feeds from `db`."""

    async def serve(request: web.Request) -> web.StreamResponse:
        match = _NAME.match(request.match_info["name"])
        if match is None:
            raise web.HTTPNotFound(text="no such feed")
        token, fmt = match[1], match[2]
        async with db.session() as session:
            channel = await channel_for_token(session, token)
            if channel is None:
                raise web.HTTPNotFound(text="no such feed")
            url = feed_urls(settings.public_url or str(request.url.origin()), token)[fmt]
            document = await channel_feed(session, channel, fmt, url, recent())
        etag = '"' + hashlib.sha256(document.body).hexdigest()[:32] + '"'
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
        return web.Response(body=document.body, headers=headers,
                            content_type=FORMATS[fmt], charset="utf-8")  # fmt: skip

    return [web.get(FEED_PATH, serve)]
