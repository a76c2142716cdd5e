"""A strict loopback Crossref: `works/{doi}` from recorded replies, 404 for any other DOI."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.http_server import FakeHttpServer

CROSSREF_WORK = Path(__file__).resolve().parents[1] / "fixtures" / (
    "crossref_works_10.17705_1cais.04607.json"
)
KNOWN = {"10.17705/1cais.04607": CROSSREF_WORK}


def serve_crossref(server: FakeHttpServer, prefix: str = "/crossref") -> str:
    """Route `{prefix}/works/…` on the server; returns CROSSREF_API_URL for it."""

    async def works(request: web.Request) -> web.StreamResponse:
        doi = unquote(request.path.split("/works/", 1)[1]).lower()
        path = KNOWN.get(doi)
        if path is None:  # what Crossref answers for an unknown DOI
            return web.Response(status=404, text="Resource not found.")
        return web.Response(body=path.read_bytes(), content_type="application/json")

    server.route_prefix(f"{prefix}/works/", works)
    return f"{server.url}{prefix}"
