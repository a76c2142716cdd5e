"""A loopback fake of an OpenAI-compatible server's `POST /v1/chat/completions`.

Tests script what each call returns (`Completion`, `Failure`), say whether the server
accepts `response_format: json_schema` (a refusing one answers 400 like vLLM does), and
read back the parsed request bodies. Point the real `openai.AsyncOpenAI` at `base_url`.

For summaries, `summary_responder` answers a batch request with one item per fenced paper
(its id echoed) and a single-paper request with a bare object. `hold()` keeps requests
waiting until `release()`, and `wait_for_calls(n)` returns once n requests have arrived,
so tests can line up concurrent callers without sleeping.

Streaming (`"stream": true`) is answered as server-sent events the way llama.cpp does:
the text a few characters (about a token) a chunk, then a chunk with the finish reason,
then usage when `stream_options.include_usage` asks for it. Like a real server, the fake
stops at the request's `max_tokens` (the text cut there, finish_reason "length"). The
real-model failure modes are scripted on `Completion`: `tokens_per_second` paces the
chunks, `endless` never stops (ignoring max_tokens), `stall_after` goes silent after that
many chunks; and on the server: `slots=1` serves one request at a time and queues the
rest without a byte, as a one-slot llama.cpp server does. `disconnects` counts streams
the client abandoned.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Collection, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

from tests.fakes.http_server import FakeHttpServer

PATH = "/v1/chat/completions"
VLLM_REJECTION = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]"
)


@dataclass(frozen=True)
class Completion:
    """A 200 reply carrying `content` and the given token counts, after `delay` seconds."""

    content: str
    prompt_tokens: int = 100
    completion_tokens: int = 50
    delay: float = 0.0
    tokens_per_second: float | None = None  # streamed at this pace (None: at once)
    endless: bool = False  # streams filler after the content forever, ignoring max_tokens
    stall_after: int | None = None  # goes silent (connection open) after this many chunks
    prompt_seconds: float = 0.0  # headers sent, then this long reading the prompt
    finish_reason: str = "stop"
    timings: float | None = None  # llama.cpp `timings` in the last chunk, at this tokens/s


@dataclass(frozen=True)
class Failure:
    """An error reply (429, 500, …) with an OpenAI-style error body and extra headers."""

    status: int
    message: str = "server error"
    headers: dict[str, str] = field(default_factory=dict)


def rate_limited(retry_after: str) -> Failure:
    """A 429 asking the client to wait `retry_after` (seconds or an HTTP date)."""
    return Failure(429, "Rate limit reached", {"Retry-After": retry_after})


Responder = Callable[[dict[str, Any]], Completion]  # builds the reply from the request body
Step = Completion | Failure | Responder
SummaryFields = Callable[[str], dict[str, Any]]  # a paper's title → its summary fields
_FENCED = re.compile(
    r'<paper(?: id="([^"]*)")?>\n(?:<title>(.*?)</title>|(.*?)\n)', re.DOTALL
)  # a lone paper's <title>, or a batched paper's first line


def fenced_papers(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, title) of each paper fenced in a request's first user message ("" for no id)."""
    user = next((m["content"] for m in body["messages"] if m["role"] == "user"), "")
    return [
        (paper_id or "", (tagged or line).strip())
        for paper_id, tagged, line in _FENCED.findall(user)
    ]


def summary_responder(
    fields: SummaryFields, *, leave_out: Collection[str] = (), **usage: int
) -> Responder:
    """Summaries as the prompt asks: `{"summaries": [{"id", **fields(title)}]}` for papers
    with ids (except those in `leave_out`), a bare `fields(title)` for a lone paper."""

    def respond(body: dict[str, Any]) -> Completion:
        papers = fenced_papers(body)
        if papers and not any(paper_id for paper_id, _ in papers):
            return Completion(json.dumps(fields(papers[0][1]), ensure_ascii=False), **usage)
        items = [{"id": i, **fields(title)} for i, title in papers if i not in leave_out]
        return Completion(json.dumps({"summaries": items}, ensure_ascii=False), **usage)

    return respond


class FakeOpenAIServer:
    """Scripted chat completions; the last scripted step repeats."""

    def __init__(
        self, *, json_schema: bool = True, model: str = "fake-model", slots: int | None = None
    ) -> None:
        self.json_schema = json_schema
        self.model = model
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.disconnects = 0
        self.generated: list[int] = []  # completion tokens each finished stream produced
        self._slots = asyncio.Semaphore(slots) if slots else None
        self._steps: list[Step] = [Completion("{}")]
        self._gate: asyncio.Event | None = None
        self._call_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._http = FakeHttpServer()
        self._http.route(PATH, self._handle, method="POST")
        self._http.route("/v1/models", self._models)

    @property
    def base_url(self) -> str:
        """The base URL to give `AsyncOpenAI` (ends in /v1)."""
        return f"{self._http.url}/v1"

    @property
    def calls(self) -> int:
        """How many chat completion requests arrived (refused ones included)."""
        return len(self.bodies)

    def script(self, *steps: Step) -> None:
        """Answer the next calls with these steps in order; the last one repeats."""
        self._steps = list(steps)

    def hold(self) -> None:
        """Keep every request from now on waiting (after it is counted) until `release()`."""
        self._gate = asyncio.Event()

    def release(self) -> None:
        """Let held and later requests through."""
        if self._gate is not None:
            self._gate.set()
        self._gate = None

    async def wait_for_calls(self, count: int) -> None:
        """Return once `count` requests have arrived (bound it with `asyncio.timeout`)."""
        if self.calls >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._call_waiters.append((count, future))
        await future

    def response_formats(self) -> list[str | None]:
        """The `response_format.type` of each request, in order (None when absent)."""
        return [_format_type(b) for b in self.bodies]

    async def start(self) -> FakeOpenAIServer:
        """Start listening on 127.0.0.1 with an ephemeral port."""
        await self._http.start()
        return self

    async def stop(self) -> None:
        """Stop the server."""
        await self._http.stop()

    async def _models(self, _request: web.Request) -> web.Response:
        """GET /v1/models, in OpenAI's list shape, naming the one model served."""
        model = {"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}
        return web.json_response({"object": "list", "data": [model]})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read())
        self.bodies.append(body)
        self._wake_call_waiters()
        if self._gate is not None:
            await self._gate.wait()
        if not self.json_schema and _format_type(body) == "json_schema":
            return _vllm_rejection()
        step = self._steps.pop(0) if len(self._steps) > 1 else self._steps[0]
        if not isinstance(step, Completion | Failure):
            step = step(body)
        if isinstance(step, Failure):
            return _error(step.status, step.message, step.headers)
        if self._slots is not None:
            async with self._slots:
                return await self._serve(request, body, step)
        return await self._serve(request, body, step)

    async def _serve(
        self, request: web.Request, body: dict[str, Any], step: Completion
    ) -> web.StreamResponse:
        step = _bounded(step, body.get("max_tokens"))
        if body.get("stream"):
            return await self._stream(request, body, step)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(step.delay)
        finally:
            self.in_flight -= 1
        return web.json_response(self._completion(step))

    async def _stream(
        self, request: web.Request, body: dict[str, Any], step: Completion
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        sent = 0
        try:
            await asyncio.sleep(step.delay)
            await response.prepare(request)
            await asyncio.sleep(step.prompt_seconds)
            pieces = _pieces(step.content)
            pause = _pause(step, len(pieces))
            for sent, piece in enumerate(_forever(pieces) if step.endless else pieces, 1):
                if step.stall_after is not None and sent > step.stall_after:
                    await _until_gone(request)  # silent until the client goes away
                await asyncio.sleep(pause)
                await response.write(self._chunk({"content": piece}, None))
            await response.write(self._chunk({}, step.finish_reason, _timings(step)))
            if (body.get("stream_options") or {}).get("include_usage"):
                await response.write(_event(self._usage_chunk(step)))
            await response.write(b"data: [DONE]\n\n")
            self.generated.append(step.completion_tokens)
        except ConnectionResetError:
            self.disconnects += 1  # the client went away: nothing more to send
        except asyncio.CancelledError:
            self.disconnects += 1
            raise
        finally:
            self.in_flight -= 1
        return response

    def _chunk(
        self, delta: dict[str, str], finish: str | None, extra: dict[str, Any] | None = None
    ) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        chunk = {**self._envelope("chat.completion.chunk"), "choices": [choice], **(extra or {})}
        return _event(chunk)

    def _usage_chunk(self, step: Completion) -> dict[str, Any]:
        return {**self._envelope("chat.completion.chunk"), "choices": [], "usage": _usage(step)}

    def _envelope(self, kind: str) -> dict[str, Any]:
        return {"id": f"chatcmpl-{self.calls}", "object": kind, "created": 1_700_000_000,
                "model": self.model}  # fmt: skip

    def _wake_call_waiters(self) -> None:
        for count, future in self._call_waiters:
            if count <= self.calls and not future.done():
                future.set_result(None)
        self._call_waiters = [(c, f) for c, f in self._call_waiters if not f.done()]

    def _completion(self, step: Completion) -> dict[str, Any]:
        message = {"role": "assistant", "content": step.content}
        choice = {"index": 0, "finish_reason": step.finish_reason, "message": message}
        return {**self._envelope("chat.completion"), "choices": [choice], "usage": _usage(step)}


CHUNK_CHARS = 4  # about a token


def _usage(step: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": step.prompt_tokens,
        "completion_tokens": step.completion_tokens,
        "total_tokens": step.prompt_tokens + step.completion_tokens,
    }


def _timings(step: Completion) -> dict[str, Any]:
    """llama.cpp's per-request timings, as if generated at `step.timings` tokens/s (prompt 10×)."""
    if not step.timings:
        return {}
    tps = step.timings
    return {"timings": {
        "prompt_n": step.prompt_tokens, "prompt_ms": 1000 * step.prompt_tokens / (10 * tps),
        "predicted_n": step.completion_tokens,
        "predicted_ms": 1000 * step.completion_tokens / tps,
    }}  # fmt: skip


def _bounded(step: Completion, max_tokens: Any) -> Completion:
    """The reply a real server gives under `max_tokens`: cut there, finish_reason "length"."""
    if not isinstance(max_tokens, int) or step.endless or step.completion_tokens <= max_tokens:
        return step
    share = max_tokens / step.completion_tokens
    cut = step.content[: int(len(step.content) * share)]
    return replace(step, content=cut, completion_tokens=max_tokens, finish_reason="length")


async def _until_gone(request: web.Request) -> None:
    """Wait (checking the socket every 20 ms) until the client closed the connection."""
    while request.transport is not None and not request.transport.is_closing():
        await asyncio.sleep(0.02)
    raise ConnectionResetError("client went away")


def _pieces(content: str) -> list[str]:
    return [content[i : i + CHUNK_CHARS] for i in range(0, len(content), CHUNK_CHARS)]


def _forever(pieces: list[str]) -> Iterator[str]:
    yield from pieces
    while True:
        yield " and more"


def _pause(step: Completion, chunks: int) -> float:
    if not step.tokens_per_second or chunks == 0:
        return 0.0
    return step.completion_tokens / chunks / step.tokens_per_second


def _event(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _format_type(body: dict[str, Any]) -> str | None:
    return (body.get("response_format") or {}).get("type")


def _vllm_rejection() -> web.Response:
    """vLLM's shape: a top-level error object, the reason in a pydantic-style message."""
    body = {"object": "error", "message": VLLM_REJECTION, "type": "BadRequestError",
            "param": None, "code": 400}  # fmt: skip
    return web.json_response(body, status=400)


def _error(status: int, message: str, headers: dict[str, str]) -> web.Response:
    body = {"object": "error", "message": message, "type": "BadRequestError", "code": status}
    return web.json_response({"error": body}, status=status, headers=headers)


@asynccontextmanager
async def running_openai_server(
    *, json_schema: bool = True, slots: int | None = None
) -> AsyncIterator[FakeOpenAIServer]:
    """A started fake server, stopped on exit."""
    server = await FakeOpenAIServer(json_schema=json_schema, slots=slots).start()
    try:
        yield server
    finally:
        await server.stop()
