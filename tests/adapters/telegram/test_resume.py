"""A Telegram delivery cut off around a send resumes without posting anything twice."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError

from adapters.telegram.sender import TelegramSender
from bot.app import App
from bot.store.db import Database
from jobs import deliver
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_chats import random_chatter
from tests.jobs.conftest import MONDAY_8_BERLIN, add_channel, delivery_for
from tests.jobs.conftest import app as app  # the store with the recorded quant-ph day

GROUP = -1009876543210
POSTS = 11  # the header and ten papers


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramApi]:
    fake = await FakeTelegramApi(chatter=random_chatter(random.Random(25))).start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def bot(telegram: FakeTelegramApi) -> AsyncIterator[Bot]:
    async with Bot(telegram.token, base_url=telegram.api_url) as client:
        yield client


def landed(api: FakeTelegramApi) -> Counter[str]:
    """The bot's messages in the group by text (each digest post is distinct)."""
    return Counter(m.text or "" for m in api.chats.bot_messages(GROUP))


@pytest.mark.parametrize("accepted", [True, False])
@pytest.mark.parametrize("nth", [1, 2, 6])
async def test_a_send_failing_before_or_after_acceptance_resumes_exactly_once(
    app: App, db: Database, telegram: FakeTelegramApi, bot: Bot, nth: int, accepted: bool
) -> None:
    await add_channel(db, str(GROUP), "cat:quant-ph entanglement", platform="telegram")
    telegram.fail_call("sendMessage", nth, accepted=accepted)
    with pytest.raises(NetworkError):
        await deliver.run(db, delivery_for(app), {"telegram": TelegramSender(bot)},
                          now=MONDAY_8_BERLIN)  # fmt: skip
    restarted = TelegramSender(bot)  # a new process: it knows none of the ids sent before
    outcome = await deliver.run(db, delivery_for(app), {"telegram": restarted},
                                now=MONDAY_8_BERLIN)  # fmt: skip
    assert [o.status for o in outcome] == ["sent"]
    texts = landed(telegram)
    assert len(texts) == POSTS and set(texts.values()) == {1}, texts.most_common(2)
    keyboards = [m.keyboard for m in telegram.chats.bot_messages(GROUP)]
    assert keyboards[0] is None and all(keyboards[1:])  # a found post got its buttons back
    assert len(telegram.calls_to("editMessageReplyMarkup")) <= 20


async def test_without_the_probe_the_in_flight_post_would_repeat(
    app: App, db: Database, telegram: FakeTelegramApi, bot: Bot
) -> None:
    """The failure the probe prevents: a sender that can't look posts up sends it again."""

    class Blind(TelegramSender):
        async def find_posted(self, message, note):  # type: ignore[no-untyped-def]
            return None

    await add_channel(db, str(GROUP), "cat:quant-ph entanglement", platform="telegram")
    telegram.fail_call("sendMessage", 3, accepted=True)
    with pytest.raises(NetworkError):
        await deliver.run(db, delivery_for(app), {"telegram": Blind(bot)}, now=MONDAY_8_BERLIN)
    await deliver.run(db, delivery_for(app), {"telegram": Blind(bot)}, now=MONDAY_8_BERLIN)
    assert max(landed(telegram).values()) == 2
