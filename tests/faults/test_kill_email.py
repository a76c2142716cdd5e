"""SIGKILL the real `paperbot run` at random points of an e-mail delivery to 30 addresses (each
digest is one mail), restart it, and check that every address got its digest and that a mail
sent again after a kill is recognisably the same mail: one Message-ID per address and date.

SMTP cannot be asked what went out, so a kill between the server accepting a mail and the
bot recording it sends that mail again. With one delivery in flight at a time, the test
bounds those by the kills (each kill here falls right after a mail was accepted, the worst
moment) and prints them.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.fakes.smtp import Mailbox, smtp_server
from tests.faults.test_kill_delivery import STEP_TIMEOUT, kill_when, seed, stop_when

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
ADDRESSES = [f"lab{n:02d}@uni.example.org" for n in range(30)]
KILLS = 10


def environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": url, "ADAPTERS": "email", "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port), "SMTP_SECURITY": "none", "SMTP_FROM": "bot@lab.example.org",
        "SMTP_LINK_SECRET": "fault-secret-fault-secret", "PUBLIC_URL": "http://127.0.0.1:9",
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "DELIVERY_TICK_SECONDS": "1",
        "FETCH_WAIT_MINUTES": "0", "REPLICA_ID": "fault-test", "LOG_LEVEL": "INFO",
        "DELIVERY_CONCURRENCY": "1",  # one mail in flight: a kill can catch at most that one
    }  # fmt: skip


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """`paperbot run`, its log appended to cwd/bot.log."""
    with (cwd / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paperbot", "run", "--http", "--port", "0",
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=cwd,
        )  # fmt: skip


async def run_until(mailbox: Mailbox, env: dict[str, str], cwd: Path, count: int) -> None:
    """Run the bot until the server holds `count` mails, then SIGKILL it."""
    await kill_when(await start_bot(env, cwd), mailbox.wait_for(count, STEP_TIMEOUT))


def delivered_addresses(mailbox: Mailbox) -> set[str]:
    return {to for recipients in mailbox.recipients for to in recipients}


async def finish(mailbox: Mailbox, env: dict[str, str], cwd: Path) -> None:
    """Run the bot until every address has its mail, then stop it gracefully."""
    await stop_when(await start_bot(env, cwd), every_address_served(mailbox))


async def every_address_served(mailbox: Mailbox) -> None:
    """Until each address has a mail (TimeoutError after twice STEP_TIMEOUT)."""
    async with asyncio.timeout(STEP_TIMEOUT * 2):
        while delivered_addresses(mailbox) != set(ADDRESSES):
            mailbox.received.clear()
            await mailbox.received.wait()


async def test_email_delivery_survives_ten_kills_with_stable_message_ids(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fault.db'}"
    rng = random.Random(20261203)
    async with smtp_server() as (mailbox, port):
        await seed(url, "email", ADDRESSES)
        env = environment(url, port)
        for _ in range(KILLS):
            await run_until(mailbox, env, tmp_path, len(mailbox.mails) + rng.randint(1, 3))
            assert delivered_addresses(mailbox) != set(ADDRESSES), "kills fell after the end"
        await finish(mailbox, env, tmp_path)
    ids: dict[str, set[str]] = defaultdict(set)
    for mail, recipients in zip(mailbox.mails, mailbox.recipients, strict=True):
        ids[recipients[0]].add(mail["Message-ID"])
    assert set(ids) == set(ADDRESSES)
    assert all(len(found) == 1 for found in ids.values()), ids  # a resend is the same mail
    again = len(mailbox.mails) - len(ADDRESSES)
    assert again <= KILLS, f"{again} mails sent again over {KILLS} kills"
    print(f"\n{again} of {len(mailbox.mails)} mails sent again over {KILLS} kills (same ids)")
