"""A burst of slash commands against the real `paperbot run --http` (Slack, signed requests).

100 commands at once, each from a different channel, then 20 at once in one channel. Each
request is signed as Slack signs it (v0, the signing secret) and timed from send to the
HTTP answer, which is Slack's acknowledgement (it must come within 3 s). The bot runs as
its own process on a fresh SQLite database, the Slack Web API faked on loopback. Printed:
p50 and p99 acknowledgement time and errors (an answer other than HTTP 200, or a command
whose reply says something went wrong). Goals: p99 <= 100 ms, 0 errors.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlackApi, SlackCall

SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
CHANNELS, ONE_CHANNEL = 100, 20
START_TIMEOUT, WORK_TIMEOUT = 60.0, 120.0
FAILED = "went wrong"


@dataclass(frozen=True)
class Burst:
    """One burst's acknowledgement times (seconds) and errors."""

    name: str
    acks: list[float]
    errors: int
    first_error: str = ""

    def row(self) -> str:
        """The burst's table row."""
        cut = statistics.quantiles(self.acks, n=100, method="inclusive")
        p50, p99 = statistics.median(self.acks), cut[98]
        return f"{self.name:<40} | {p50 * 1000:>7.1f} | {p99 * 1000:>7.1f} | {self.errors:>6}"


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command_body(channel: str, user: str, text: str, response_url: str) -> str:
    """A /papers slash command as Slack posts it (form-encoded)."""
    return urlencode({
        "token": "t", "team_id": TEAM, "team_domain": "bench", "channel_id": channel,
        "channel_name": channel.lower(), "user_id": user, "user_name": user.lower(),
        "command": "/papers", "text": text, "api_app_id": "A0BENCH",
        "response_url": response_url, "trigger_id": "1.2.3",
    })  # fmt: skip


async def post_signed(session: aiohttp.ClientSession, url: str, body: str) -> tuple[float, int]:
    """POST one signed command; (seconds to the answer, HTTP status)."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        return time.perf_counter() - started, response.status


async def start_bot(folder: Path, slack: FakeSlackApi, port: int) -> asyncio.subprocess.Process:
    """`paperbot run --http` on a fresh database; returns once it says it is running."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'burst.db'}",
           "ADAPTERS": "slack", "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": slack.url, "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
           "LOG_LEVEL": "INFO", "REPLICA_ID": "bench"}  # fmt: skip
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", "--http", "--port", str(port),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env=env, cwd=folder,
    )  # fmt: skip
    assert bot.stdout is not None
    async with asyncio.timeout(START_TIMEOUT):
        while b"paperbot running" not in (line := await bot.stdout.readline()):
            if not line:
                raise RuntimeError("paperbot run exited before it was running")
    asyncio.create_task(_drain(bot.stdout))  # noqa: RUF006  (keep the pipe from filling)
    return bot


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def burst(
    session: aiohttp.ClientSession, url: str, slack: FakeSlackApi, name: str,
    commands: list[tuple[str, str, str]],
) -> Burst:  # fmt: skip
    """Send (channel, user, text) commands at once; wait for every reply; count errors."""
    before = len(slack.posts()) + len(slack.calls_to("response_url"))
    bodies = [command_body(c, u, t, slack.response_url(c)) for c, u, t in commands]
    answers = await asyncio.gather(*(post_signed(session, url, body) for body in bodies))

    def replies() -> list[SlackCall]:
        return (slack.posts() + slack.calls_to("response_url"))[before:]

    await slack.wait_until(lambda: len(replies()) >= len(commands), WORK_TIMEOUT)
    failed = [call.text for call in replies() if FAILED in call.text]
    refused = [f"HTTP {status}" for _, status in answers if status != 200]
    errors = refused + failed
    return Burst(name, [seconds for seconds, _ in answers], len(errors),
                 errors[0] if errors else "")  # fmt: skip


async def run() -> list[Burst]:
    """Both bursts against one bot process."""
    slack = await FakeSlackApi(team_id=TEAM).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        bot = await start_bot(Path(folder), slack, port)
        url = f"http://127.0.0.1:{port}/slack/events"
        try:
            async with aiohttp.ClientSession() as session:
                spread = [(f"C{n:04d}", f"U{n:04d}", "subscribe cat:cs.CL agents")
                          for n in range(CHANNELS)]  # fmt: skip
                texts = ["subscribe cat:cs.LG", "topics", "size 20", "subscribe cat:cs.AI"]
                one = [("C9999", f"U{n:04d}", texts[n % 4]) for n in range(ONE_CHANNEL)]
                return [
                    await burst(session, url, slack, f"{CHANNELS} channels, one command each",
                                spread),
                    await burst(session, url, slack, f"{ONE_CHANNEL} commands in one channel",
                                one),
                ]  # fmt: skip
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), START_TIMEOUT)
            await slack.stop()


def main() -> None:
    """Run the bursts and print the table."""
    results = asyncio.run(run())
    print(f"{'burst (signed /papers commands, HTTP mode)':<40} | p50 ms  | p99 ms  | errors")
    for result in results:
        print(result.row())
    for result in results:
        if result.first_error:
            print(f"{result.name}: first error: {result.first_error[:200]}")
    print("goals: p99 <= 100 ms, 0 errors")


if __name__ == "__main__":
    main()
