"""One polite, retrying HTTP client shared by every source.

Retries (tenacity) cover timeouts, connection errors, HTTP 429 and 5xx, honouring
`Retry-After`. Requests that share a `polite_key` are serialized by an `asyncio.Lock`
held for the whole request (retries included) and spaced at least
`settings.arxiv_api_min_interval` seconds apart on a monotonic clock. Because of that
lock there is at most one request in flight per key, so the arXiv API sees a single
connection at a time without needing a dedicated `httpx.Limits(max_connections=1)` client.

Every request is bounded: the client's transport applies the address policy of
`bot.sources.guard` on each redirect hop, bodies are streamed and cut at `max_bytes` decoded
bytes (HTTP_MAX_FEED_MB by default), and a whole `get` (retries included) must finish within
HTTP_DEADLINE seconds, however slowly the server drips its bytes.
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
from bot.sources.guard import GuardedTransport, RefusedAddress
from bot.sources.retry_notes import note_retry

MB = 1024 * 1024

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


UNREACHABLE_MARKS = (" attempts", "no complete reply within ")


def is_unreachable(reason: str) -> bool:
    """Whether a SourceError reason means the source did not answer (network, 5xx, 429),
    rather than that it answered no."""
    return reason.endswith(UNREACHABLE_MARKS[0]) or reason.startswith(UNREACHABLE_MARKS[1])


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
    """An `httpx.AsyncClient` from settings: timeout, User-Agent, redirects, address policy."""
    return httpx.AsyncClient(
        timeout=settings.http_timeout,
        headers={"User-Agent": settings.user_agent},
        follow_redirects=True,
        max_redirects=10,
        transport=GuardedTransport(settings),
    )


class _TooLarge(Exception):
    """A body over the size limit."""


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
        max_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """GET `url`; returns 2xx/304 replies, raises `SourceError` for anything else.

        `max_bytes` caps the decoded body (default HTTP_MAX_FEED_MB); the whole call,
        retries included, is bounded by HTTP_DEADLINE. `headers` are sent as well (an API key).
        """
        sent: dict[str, str] = dict(headers or {})
        if etag:
            sent["If-None-Match"] = etag
        if last_modified:
            sent["If-Modified-Since"] = last_modified
        limit = max_bytes or int(self._settings.http_max_feed_mb * MB)
        if polite_key is None:
            return await self._within_deadline(url, params, sent, None, limit)
        lock = self._locks.setdefault(polite_key, asyncio.Lock())
        async with lock:
            return await self._within_deadline(url, params, sent, polite_key, limit)

    async def _within_deadline(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        polite_key: str | None,
        limit: int,
    ) -> HttpResponse:
        deadline = self._settings.http_deadline
        try:
            async with asyncio.timeout(deadline):
                return await self._with_retries(url, params, headers, polite_key, limit)
        except TimeoutError:
            raise SourceError(f"no complete reply within {deadline:g} s", url=url) from None

    async def _with_retries(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        polite_key: str | None,
        limit: int,
    ) -> HttpResponse:
        attempts = self._settings.http_retries

        async def before_sleep(state: RetryCallState) -> None:
            await note_retry(url, state.attempt_number + 1, attempts)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            retry=retry_if_exception_type(_Retryable),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._be_polite(polite_key)
                    return await self._attempt(url, params, headers, limit)
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
        self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str], limit: int
    ) -> HttpResponse:
        """One request; classifies the outcome as success, retryable or final failure."""
        try:
            resp, content = await self._stream(url, params, headers, limit)
        except RefusedAddress as exc:
            raise SourceError(f"refused to fetch {url}: {exc}", url=url) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise SourceError(f"cannot fetch {url!r}: {exc}", url=url) from exc
        except _TooLarge:
            raise SourceError(f"reply from {url} is over {limit // MB} MB", url=url) from None
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
                body=content,
            )
        if not (200 <= resp.status_code < 300 or resp.status_code == 304):
            raise SourceError(
                f"HTTP {resp.status_code} from {shown}",
                url=url,
                status=resp.status_code,
                body=content,
            )
        return HttpResponse(
            status=resp.status_code,
            content=content,
            url=shown,
            headers={k.lower(): v for k, v in resp.headers.items()},
        )

    async def _stream(
        self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str], limit: int
    ) -> tuple[httpx.Response, bytes]:
        """The response and its decoded body, read chunk by chunk up to `limit` bytes."""
        async with self._client.stream("GET", url, params=params, headers=headers) as resp:
            declared = resp.headers.get("content-length", "")
            encoded = resp.headers.get("content-encoding", "identity") != "identity"
            if declared.isdigit() and int(declared) > limit and not encoded:
                raise _TooLarge()
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge()
                chunks.append(chunk)
            return resp, b"".join(chunks)
