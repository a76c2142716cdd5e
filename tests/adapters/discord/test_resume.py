"""A Discord delivery cut off around a send resumes without posting anything twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.discord.rest import open_rest
from adapters.discord.sender import DiscordSender
from bot.app import App
from bot.store.db import Database
from jobs import deliver
from tests.fakes.discord_api import CHANNEL_ID, NONCE_WINDOW, FakeDiscord
from tests.jobs.conftest import MONDAY_8_BERLIN, add_channel, delivery_for
from tests.jobs.conftest import app as app  # the store with the recorded quant-ph day

POSTS = 11  # the header and ten papers


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    try:
        yield fake
    finally:
        await fake.stop()


async def sender_for(api: FakeDiscord) -> DiscordSender:
    """A new process's sender: a fresh REST session that remembers nothing."""
    rest, bot_id = await open_rest(api.token, api.base_url)
    return DiscordSender(rest, bot_id)


def landed(api: FakeDiscord) -> Counter[str]:
    """The bot's messages in the channel by what they show (each digest post is distinct)."""
    return Counter(repr((m["content"], m["embeds"])) for m in api.bot_messages(CHANNEL_ID))


async def deliver_with(app: App, db: Database, sender: DiscordSender) -> list[str]:
    try:
        outcome = await deliver.run(db, delivery_for(app), {"discord": sender},
                                    now=MONDAY_8_BERLIN)  # fmt: skip
    finally:
        await sender.rest.http.close()
    return [o.status for o in outcome]


@pytest.mark.parametrize("nth", [1, 2, 6])
async def test_a_send_whose_answer_was_lost_resumes_exactly_once(
    app: App, db: Database, discord_api: FakeDiscord, nth: int
) -> None:
    await add_channel(db, CHANNEL_ID, "cat:quant-ph entanglement", platform="discord")
    discord_api.drop_after_accept = [nth]  # Discord created it; the answer never came back
    with pytest.raises(aiohttp.ClientError):
        await deliver_with(app, db, await sender_for(discord_api))
    assert len(discord_api.bot_messages()) == nth
    discord_api.skew += NONCE_WINDOW + 1  # long after: Discord forgot the nonces
    assert await deliver_with(app, db, await sender_for(discord_api)) == ["sent"]
    texts = landed(discord_api)
    assert len(texts) == POSTS and set(texts.values()) == {1}, texts.most_common(2)
    assert discord_api.requests_to("GET", "/channels/{}/messages")  # it looked first


class Blind(DiscordSender):
    """A sender that cannot search its history: only the nonce can keep a resend single."""

    async def find_posted(self, message, note):  # type: ignore[no-untyped-def]
        return None


async def test_within_minutes_the_nonce_alone_keeps_a_resend_single(
    app: App, db: Database, discord_api: FakeDiscord
) -> None:
    """Without the history search, Discord's enforced nonce still drops a quick resend."""

    await add_channel(db, CHANNEL_ID, "cat:quant-ph entanglement", platform="discord")
    discord_api.drop_after_accept = [3]
    with pytest.raises(aiohttp.ClientError):
        await deliver_with(app, db, await sender_for(discord_api))
    blind = await sender_for(discord_api)
    await deliver_with(app, db, Blind(blind.rest, blind.bot_user_id))
    texts = landed(discord_api)
    assert len(texts) == POSTS and set(texts.values()) == {1}


async def test_without_either_the_in_flight_post_would_repeat(
    app: App, db: Database, discord_api: FakeDiscord
) -> None:
    await add_channel(db, CHANNEL_ID, "cat:quant-ph entanglement", platform="discord")
    discord_api.drop_after_accept = [3]
    with pytest.raises(aiohttp.ClientError):
        await deliver_with(app, db, await sender_for(discord_api))
    discord_api.skew += NONCE_WINDOW + 1
    blind = await sender_for(discord_api)
    await deliver_with(app, db, Blind(blind.rest, blind.bot_user_id))
    assert max(landed(discord_api).values()) == 2
