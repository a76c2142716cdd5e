"""Malformed requests against a real `paperbot run --http` (Slack events, Telegram webhook):
each class gets 400, 401, 403 or 413 — never a 500 — and unverified input cannot forge or
flood log lines."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi

TIMEOUT = 60
SIGNING_SECRET = "hostile-test-signing-secret"
WEBHOOK_SECRET = "hostile-webhook-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed(body: bytes, *, timestamp: str | None = None) -> list[tuple[str, bytes]]:
    """Slack's v0 signature headers for exactly these bytes."""
    ts = timestamp or str(int(time.time()))
    verifier = SignatureVerifier(SIGNING_SECRET)
    signature = verifier.generate_signature(timestamp=ts, body=body.decode("utf-8", "replace"))
    return [
        ("X-Slack-Request-Timestamp", ts.encode()),
        ("X-Slack-Signature", str(signature).encode()),
    ]


async def raw(port: int, data: bytes) -> int:
    """Send raw bytes as one HTTP request; the status code of the reply (0: none)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        async with asyncio.timeout(15):
            writer.write(data)
            with contextlib.suppress(ConnectionError):  # refused before the whole body
                await writer.drain()
            line = await reader.readline()
    except TimeoutError:
        return 0
    finally:
        writer.close()
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


async def post(port: int, path: str, body: bytes, headers: list[tuple[str, bytes]],
               content_type: bytes = b"application/json") -> int:  # fmt: skip
    lines = [f"POST {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close",
             b"Content-Type: " + content_type, f"Content-Length: {len(body)}".encode()]  # fmt: skip
    lines += [name.encode() + b": " + value for name, value in headers]
    return await raw(port, b"\r\n".join(lines) + b"\r\n\r\n" + body)


@dataclass
class Running:
    slack_port: int
    telegram_port: int
    process: asyncio.subprocess.Process


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    slack_port, telegram_port = free_port(), free_port()
    async with FakeTelegramApi() as telegram:
        slack = await FakeSlackApi().start()
        env = {
            **os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "ADAPTERS": "slack,telegram", "SLACK_BOT_TOKEN": "xoxb-hostile-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.url,
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/hook",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_WEBHOOK_PORT": str(telegram_port), "ARXIV_RSS_URL": "http://127.0.0.1:9/",
            "LOG_LEVEL": "INFO",
        }  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paperbot", "run", "--http", "--port", str(slack_port),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=env, cwd=tmp_path,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            async with asyncio.timeout(TIMEOUT):
                while b"paperbot running" not in await process.stdout.readline():
                    assert process.returncode is None
            yield Running(slack_port, telegram_port, process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await slack.stop()


async def test_every_malformed_request_class_gets_a_4xx(bot: Running) -> None:
    port, hook = bot.slack_port, bot.telegram_port
    forged = b"token=x&text=" + b"A" * 1_000_000 + b"\n[error] FAKE LOG LINE"
    form = b"application/x-www-form-urlencoded"
    deep = b"[" * 100_000 + b"]" * 100_000
    cases = {
        "unsigned": (port, "/slack/events", b"{}", [], b"application/json", 401),
        "timestamp not a number": (port, "/slack/events", b"{}", [
            ("X-Slack-Request-Timestamp", b"soon"), ("X-Slack-Signature", b"v0=" + b"0" * 64)],
            b"application/json", 401),
        "non-ASCII signature": (port, "/slack/events", b"{}", [
            ("X-Slack-Request-Timestamp", b"1"), ("X-Slack-Signature", "v0=é".encode())],
            b"application/json", 401),
        "forged 1 MB body": (port, "/slack/events", forged, signed(b"other"), form, 401),
        "signed malformed JSON": (port, "/slack/events", b"{not json", signed(b"{not json"),
                                  b"application/json", 400),
        "signed payload=garbage": (port, "/slack/events", b"payload=garbage",
                                   signed(b"payload=garbage"), form, 400),
        "signed non-UTF-8 body": (port, "/slack/events", b"\xff\xfe{}", signed(b"\xff\xfe{}"),
                                  b"application/json", 400),
        "signed deep nesting": (port, "/slack/events", deep, signed(deep), b"application/json",
                                400),
        "over 1 MB": (port, "/slack/events", b"x" * 2_000_000, signed(b"x"), form, 413),
        "telegram non-ASCII secret": (hook, "/tg/hook", b"{}", [
            ("X-Telegram-Bot-Api-Secret-Token", "sécret-ü".encode())], b"application/json", 403),
        "telegram latin-1 secret": (hook, "/tg/hook", b"{}", [
            ("X-Telegram-Bot-Api-Secret-Token", b"\xff\xfe")], b"application/json", 403),
        "telegram not JSON": (hook, "/tg/hook", b"\xff{", [
            ("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET.encode())], b"application/json",
            400),
        "telegram a JSON list": (hook, "/tg/hook", b"[1, 2]", [
            ("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET.encode())], b"application/json",
            400),
        "telegram deep nesting": (hook, "/tg/hook", deep, [
            ("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET.encode())], b"application/json",
            400),
    }  # fmt: skip
    got = {}
    for name, (target, path, body, headers, kind, _want) in cases.items():
        got[name] = await post(target, path, body, headers, kind)
    got["garbage request line"] = await raw(port, b"\x00\x01 GARBAGE\r\n\r\n")
    event = json.dumps({
        "type": "event_callback", "team_id": "T0TEAM", "event_id": "Ev1", "event": {
            "type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
            "text": "\ud800 help \u0000", "ts": "1.2"}}).encode()  # fmt: skip
    got["signed surrogate text"] = await post(port, "/slack/events", event, signed(event))
    want = {name: case[-1] for name, case in cases.items()}
    want |= {"garbage request line": 400, "signed surrogate text": 200}
    assert got == want
    assert bot.process.returncode is None  # still serving
    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.stdout is not None
    output = (await asyncio.wait_for(bot.process.stdout.read(), TIMEOUT)).decode("utf-8", "replace")
    lines = output.splitlines()
    assert not any(line.lstrip().startswith("[error] FAKE") for line in lines)
    assert max(len(line) for line in lines) < 5_000
    assert "Traceback" not in output and " 500" not in output
    assert await asyncio.wait_for(bot.process.wait(), TIMEOUT) == 0
