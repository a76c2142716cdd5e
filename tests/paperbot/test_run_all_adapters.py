"""`paperbot run` with every chat adapter on one asyncio loop: Slack, Telegram, Discord, Matrix
and e-mail, each against its loopback fake (Matrix: a real Synapse), and one channel on each
due now: every platform gets its digest (a header and its papers), once, from one process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.adapters.matrix.rig import Person
from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.smtp import Mailbox, smtp_server
from tests.fakes.synapse import Account, Synapse
from tests.fakes.telegram_api import FakeTelegramApi
from tests.faults.test_kill_delivery import PAPERS, seed

pytestmark = pytest.mark.timeout(480)
TIMEOUT = 200.0  # a loaded CI machine: five adapters and the ranking model start in one process
SLACK, TELEGRAM, ADDRESS = "C0ALL", "-1007000000001", "lab@uni.example.org"


@dataclass
class Platforms:
    """The fakes every adapter talks to."""

    slack: FakeSlackApi
    telegram: FakeTelegramApi
    discord: FakeDiscord
    mailbox: Mailbox
    smtp_port: int
    synapse: Synapse
    matrix_bot: Account

    def environment(self, url: str) -> dict[str, str]:
        """`paperbot run`'s settings: every adapter, each pointed at its fake."""
        return {
            **os.environ, "DATABASE_URL": url, "ADAPTERS": "slack,telegram,discord,matrix,email",
            "SLACK_BOT_TOKEN": "xoxb-all", "SLACK_SIGNING_SECRET": "all-secret",
            "SLACK_API_URL": self.slack.url, "TELEGRAM_BOT_TOKEN": self.telegram.token,
            "TELEGRAM_API_URL": self.telegram.api_url, "DISCORD_BOT_TOKEN": self.discord.token,
            "DISCORD_APPLICATION_ID": self.discord.application_id,
            "DISCORD_API_BASE_URL": self.discord.base_url, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port), "SMTP_SECURITY": "none",
            "SMTP_FROM": "bot@lab.example.org", "SMTP_LINK_SECRET": "all-secret-all-secret",
            "MATRIX_HOMESERVER_URL": self.synapse.url, "MATRIX_USER_ID": self.matrix_bot.user_id,
            "MATRIX_PASSWORD": self.matrix_bot.password, "PUBLIC_URL": "http://127.0.0.1:9",
            "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
            "DELIVERY_TICK_SECONDS": "1", "FETCH_WAIT_MINUTES": "0", "LOG_LEVEL": "INFO",
        }  # fmt: skip

    def counts(self) -> dict[str, int]:
        """Posts each platform received from the bot (e-mail: one mail holds the digest)."""
        return {
            "slack": len(self.slack.calls_to("chat.postMessage")),
            "telegram": len(self.telegram.sent()),
            "discord": len(self.discord.bot_messages(CHANNEL_ID)),
            "email": len(self.mailbox.mails),
        }


WANTED = {"slack": 1 + PAPERS, "telegram": 1 + PAPERS, "discord": 1 + PAPERS, "email": 1}


@pytest.fixture
async def platforms(synapse: Synapse) -> AsyncIterator[Platforms]:
    slack, telegram, discord = FakeSlackApi(), FakeTelegramApi(), FakeDiscord()
    await slack.start()
    await telegram.start()
    await discord.start()
    try:
        async with smtp_server() as (mailbox, port):
            bot = await asyncio.to_thread(synapse.register)
            yield Platforms(slack, telegram, discord, mailbox, port, synapse, bot)
    finally:
        await discord.stop()
        await telegram.stop()
        await slack.stop()


async def seed_all(url: str, room: str) -> None:
    """One channel on each platform, due since midnight, following the recorded quant-ph day."""
    await seed(url, "matrix", [room])
    await seed(url, "slack", [SLACK])
    await seed(url, "telegram", [TELEGRAM])
    await seed(url, "email", [ADDRESS])
    await seed(url, "discord", [CHANNEL_ID])


async def wait_for_digests(
    platforms: Platforms, bot: asyncio.subprocess.Process, room: str, alice: Person
) -> None:
    """Until every platform has its whole digest; fails if the bot exits or after TIMEOUT."""
    p, want = platforms, WANTED
    arrived = asyncio.gather(
        alice.bot_messages(room, p.matrix_bot.user_id, 1 + PAPERS),
        p.slack.wait_until(lambda: p.counts()["slack"] >= want["slack"], TIMEOUT),
        p.telegram.wait_until(lambda: p.counts()["telegram"] >= want["telegram"], TIMEOUT),
        p.discord.wait_until(lambda: p.counts()["discord"] >= want["discord"], TIMEOUT),
        p.mailbox.wait_for(want["email"], TIMEOUT),
    )
    exited = asyncio.ensure_future(bot.wait())
    done, _ = await asyncio.wait({arrived, exited}, return_when=asyncio.FIRST_COMPLETED)
    if arrived not in done:
        arrived.cancel()
        await asyncio.gather(arrived, return_exceptions=True)
    exited.cancel()
    assert arrived in done, f"paperbot run exited ({bot.returncode}) before every digest landed"
    arrived.result()


async def test_every_adapter_delivers_its_digest_from_one_process(
    tmp_path: Path, platforms: Platforms, people: tuple[Account, Account]
) -> None:
    async with httpx.AsyncClient(base_url=platforms.synapse.url, timeout=30) as http:
        alice = Person(people[0], http)
        await alice.mark()
        room = await alice.create_room(platforms.matrix_bot.user_id)  # invited before the run
        await run_every_adapter(tmp_path, platforms, room, alice)
        in_room = await alice.messages(room, sender=platforms.matrix_bot.user_id)
    assert len(in_room) == 1 + PAPERS, [e["content"].get("body", "")[:40] for e in in_room]
    assert platforms.counts() == WANTED, (tmp_path / "bot.log").read_text()[-3000:]


async def run_every_adapter(tmp_path: Path, platforms: Platforms, room: str, alice: Person) -> None:
    """`paperbot run` with every adapter until every digest landed, then SIGTERM."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed_all(url, room)
    with (tmp_path / "bot.log").open("ab") as log:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paperbot", "run", "--http", "--port", "0",
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            env=platforms.environment(url), cwd=tmp_path,
        )  # fmt: skip
    try:
        try:
            await wait_for_digests(platforms, bot, room, alice)
        except (AssertionError, TimeoutError) as failed:
            log = (tmp_path / "bot.log").read_text()[-4000:]
            raise AssertionError(f"{failed!r}: {platforms.counts()}\n{log}") from failed
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), TIMEOUT) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
