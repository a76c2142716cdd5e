"""Which URLs the bot may fetch: no server-side request forgery through `feed:` topics.

A URL under one of the operator's configured source URLs (ARXIV_*_URL, BIORXIV_API_URL), or
on a host named in FEED_ALLOWED_HOSTS (`host` or `host:port`, `*` for any), is fetched as
given. Any other URL (a `feed:` topic, a link a source handed out, every redirect hop) must be
http or https on port 80 or 443, and its host must resolve only to public addresses: loopback,
private, link-local (cloud metadata included), multicast, reserved and shared addresses are
refused. The check runs when the connection is made, on the addresses actually connected to,
so DNS answers that change between check and use cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.config import Settings

PUBLIC_PORTS = {"http": 80, "https": 443}


class RefusedAddress(Exception):
    """A URL or address the bot will not fetch from."""


def _split_entry(entry: str) -> tuple[str, int | None]:
    parts = urlsplit(f"//{entry.strip()}")
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port


class AddressPolicy:
    """The operator's trusted source URLs and allowed hosts; everything else must be public."""

    def __init__(self, trusted: Iterable[str] = (), allowed_hosts: Iterable[str] = ()) -> None:
        self._trusted = tuple(t for t in trusted if t)
        entries = [e.strip() for e in allowed_hosts if e.strip()]
        self._allow_all = "*" in entries
        self._hosts = {_split_entry(e) for e in entries if e != "*"}

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        """The policy of SOURCE URLs and FEED_ALLOWED_HOSTS."""
        trusted = (
            settings.arxiv_rss_url, settings.arxiv_api_url, settings.arxiv_html_url,
            settings.arxiv_pdf_url, settings.biorxiv_api_url, settings.crossref_api_url,
            settings.zotero_api_url,
        )  # fmt: skip
        return cls(trusted, settings.feed_allowed_hosts.split(","))

    def exempt(self, url: httpx.URL | str) -> bool:
        """True when the operator vouched for this URL (configured source or allowed host)."""
        url = httpx.URL(str(url))
        if self._allow_all or any(str(url).startswith(prefix) for prefix in self._trusted):
            return True
        host = (url.host or "").lower()
        port = url.port or PUBLIC_PORTS.get(url.scheme)
        return (host, None) in self._hosts or (host, port) in self._hosts

    def check_url(self, url: httpx.URL | str) -> bool:
        """Raise RefusedAddress for a URL no one vouched for that is not public http(s).

        Returns True when the URL is exempt, False when its addresses must still be checked.
        """
        if self.exempt(url):
            return True
        url = httpx.URL(str(url))
        if url.scheme not in PUBLIC_PORTS:
            raise RefusedAddress(f"only http and https URLs are fetched, not {url.scheme!r}")
        if url.port not in (None, *PUBLIC_PORTS.values()):
            raise RefusedAddress("only ports 80 and 443 are fetched")
        literal = _literal_ip(url.host)
        if literal is not None:
            check_ip(literal)
        return False


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    """Raise RefusedAddress unless `ip` is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        raise RefusedAddress("that address is not a public one")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses non-public addresses, connects to the checked IP."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first public address of `host`; none may be non-public."""
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host!r}") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            check_ip(ipaddress.ip_address(address.split("%", 1)[0]))
        error: Exception = httpcore.ConnectError(f"no address for {host!r}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as failed:
                error = failed
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never fetched."""
        raise RefusedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the wrapped backend."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request (each redirect hop is one) against the policy before sending it."""

    def __init__(self, policy: AddressPolicy | Settings, **options: Any) -> None:
        self._policy = policy  # settings: the policy is read anew for each request
        self._exempt = httpx.AsyncHTTPTransport(**options)
        self._guarded = httpx.AsyncHTTPTransport(**options)
        pool: Any = self._guarded._pool
        pool._network_backend = GuardedBackend(pool._network_backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the plain pool when exempt, else through the guarded one."""
        policy = self._policy
        if isinstance(policy, Settings):
            policy = AddressPolicy.from_settings(policy)
        exempt = policy.check_url(request.url)
        transport = self._exempt if exempt else self._guarded
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close both pools."""
        await self._exempt.aclose()
        await self._guarded.aclose()
