"""One polite, retrying HTTP client shared by every source.

Retries (tenacity) cover timeouts, connection errors, HTTP 429 and 5xx, honouring
`Retry-After`. Requests that share a `polite_key` are serialized by an `asyncio.Lock`
held for the whole request (retries included) and spaced at least
`settings.arxiv_api_min_interval` seconds apart on a monotonic clock. Because of that
lock there is at most one request in flight per key, so the arXiv API sees a single
connection at a time without needing a dedicated `httpx.Limits(max_connections=1)` client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from bot.config import Settings

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class SourceError(Exception):
    """A request that failed for good; `reason` says why, `status`/`body` keep the reply."""

    def __init__(self, reason: str, *, url: str, status: int | None = None, body: bytes = b""):
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status
        self.body = body


class _Retryable(Exception):
    """An attempt that may succeed if repeated."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        body: bytes = b"",
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.body = body


@dataclass(frozen=True)
class HttpResponse:
    """A successful (2xx) or not-modified (304) reply."""

    status: int
    content: bytes
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        """The ETag validator, if the server sent one."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified validator, if the server sent one."""
        return self.headers.get("last-modified")

    @property
    def not_modified(self) -> bool:
        """True for a 304 reply to a conditional GET."""
        return self.status == 304


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def build_client(settings: Settings) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` configured from settings (timeout, User-Agent, redirects)."""
    return httpx.AsyncClient(
        timeout=settings.http_timeout,
        headers={"User-Agent": settings.user_agent},
        follow_redirects=True,
    )


class HttpFetcher:
    """GETs with conditional validators, retries with backoff and per-key politeness."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self._settings = settings
        self._client = client or build_client(settings)
        self._owns_client = client is None
        self._sleep = sleep
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_request: dict[str, float] = {}

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying client if this fetcher created it."""
        if self._owns_client:
            await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        polite_key: str | None = None,
    ) -> HttpResponse:
        """GET `url`; returns 2xx/304 replies, raises `SourceError` for anything else."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if polite_key is None:
            return await self._with_retries(url, params, headers, None)
        lock = self._locks.setdefault(polite_key, asyncio.Lock())
        async with lock:
            return await self._with_retries(url, params, headers, polite_key)

    async def _with_retries(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        polite_key: str | None,
    ) -> HttpResponse:
        attempts = self._settings.http_retries
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            retry=retry_if_exception_type(_Retryable),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._be_polite(polite_key)
                    return await self._attempt(url, params, headers)
        except _Retryable as exc:
            raise SourceError(
                f"{exc.reason} after {attempts} attempts",
                url=url,
                status=exc.status,
                body=exc.body,
            ) from exc
        raise SourceError(f"no attempt made for {url}", url=url)  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff, or the server's Retry-After, capped at http_backoff_max."""
        cap = self._settings.http_backoff_max
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, cap)
        return min(self._settings.http_backoff * 2 ** (state.attempt_number - 1), cap)

    async def _be_polite(self, polite_key: str | None) -> None:
        """Sleep until `min_interval` has passed since the last request with this key."""
        if polite_key is None:
            return
        last = self._last_request.get(polite_key)
        if last is not None:
            remaining = self._settings.arxiv_api_min_interval - (self._clock() - last)
            if remaining > 0:
                await self._sleep(remaining)
        self._last_request[polite_key] = self._clock()

    async def _attempt(
        self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str]
    ) -> HttpResponse:
        """One request; classifies the outcome as success, retryable or final failure."""
        try:
            resp = await self._client.get(url, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timeout from {url} ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error from {url} ({type(exc).__name__}: {exc})") from exc
        except httpx.HTTPError as exc:
            raise SourceError(f"request to {url} failed: {exc}", url=url) from exc
        shown = str(resp.url)
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retryable(
                f"HTTP {resp.status_code} from {shown}",
                status=resp.status_code,
                retry_after=parse_retry_after(resp.headers.get("retry-after")),
                body=resp.content,
            )
        if not (200 <= resp.status_code < 300 or resp.status_code == 304):
            raise SourceError(
                f"HTTP {resp.status_code} from {shown}",
                url=url,
                status=resp.status_code,
                body=resp.content,
            )
        return HttpResponse(
            status=resp.status_code,
            content=resp.content,
            url=shown,
            headers={k.lower(): v for k, v in resp.headers.items()},
        )
