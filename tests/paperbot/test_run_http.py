"""`paperbot run --http` without Slack still serves health, readiness and the channel feeds."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import feedparser
import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.slack_api import FakeSlackApi
from tests.paperbot.test_http_hostile import free_port
from tests.paperbot.test_run import TIMEOUT, wait_for_line

FEED = re.compile(r"Atom: (/feeds/[A-Za-z0-9_-]+\.atom)")


async def console_feed_path(env: dict[str, str], cwd: Path) -> str:
    """Subscribe the console and ask for its feed; the Atom path it shows."""
    console = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "console", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env, cwd=cwd,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(
        console.communicate(b"/subscribe cat:quant-ph\n/feed\n"), TIMEOUT
    )
    found = FEED.search(out.decode())
    assert found is not None, out.decode()
    return found[1]


async def test_health_readiness_and_feeds_on_the_http_port(tmp_path: Path) -> None:
    env = {
        **os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ADAPTERS": "console", "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "LOG_FORMAT": "json",
    }  # fmt: skip
    feed_path = await console_feed_path(env, tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", "--http", "--port", "0",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        port = json.loads(await wait_for_line(process.stderr, "http listening"))["port"]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as web:
            health, ready = await web.get("/healthz"), await web.get("/readyz")
            feed = await web.get(feed_path)
            metrics = await web.get("/metrics")
            unknown = await web.get("/feeds/" + "x" * 32 + ".atom")
    finally:
        process.kill()
        await process.wait()
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["problems"] == []
    assert feed.status_code == 200 and "atom" in feed.headers["content-type"]
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and parsed.feed.get("title")
    assert unknown.status_code == 404
    names = {f.name for f in text_string_to_metric_families(metrics.text)}
    assert {"paperbot_papers_stored", "paperbot_delivery_lag_seconds"} <= names


async def test_with_slack_over_http_one_port_serves_both(tmp_path: Path) -> None:
    slack, port = await FakeSlackApi().start(), free_port()
    env = {
        **os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ADAPTERS": "slack", "SLACK_BOT_TOKEN": "xoxb-one-port", "SLACK_API_URL": slack.url,
        "SLACK_SIGNING_SECRET": "one-port-secret", "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
        "LOG_FORMAT": "json",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", "--http", "--port", str(port),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        await wait_for_line(process.stderr, "paperbot running")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as web:
            ready = await web.get("/readyz")
            unsigned = await web.post("/slack/events", content=b"{}")
    finally:
        process.kill()
        await process.wait()
        await slack.stop()
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert unsigned.status_code == 401  # Slack's route on the same port
