"""The e-mail adapter against a real SMTP server (aiosmtpd): the scheduled digest as one
multipart mail, sent once, with a stable Message-ID, signed links and escaped text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from adapters.email.links import address_token, unsubscribe_url
from adapters.email.sender import EmailSender
from adapters.email.settings import EmailSettings
from adapters.email.web import email_routes
from bot.app import App, create_app
from bot.messages import Conversation
from bot.models import Channel, DeliveredPaper, Delivery
from bot.posts import FollowupPost, Image, WeeklyBriefing
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from jobs import deliver
from tests.botharness import bot_settings
from tests.fakes.smtp import Mailbox, smtp_server
from tests.jobs.conftest import MONDAY_8_BERLIN, QUANT_PH, add_channel, delivery_for

ADDRESS = "lab-list@uni.example.org"
PUBLIC = "https://bot.example.org"
SECRET = "s3cret-s3cret-s3cret"


def mail_settings(port: int) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=port, security="none",
                         SMTP_FROM="paperbot <bot@lab.example.org>", link_secret=SECRET,
                         reply_to="pi@uni.example.org")  # type: ignore[call-arg]  # fmt: skip


@pytest.fixture
async def app(db: Database) -> AsyncIterator[App]:
    application = await create_app(bot_settings(public_url=PUBLIC), db=db)
    async with db.session() as session:
        await upsert_papers(session, parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers)
    try:
        yield application
    finally:
        await application.http.aclose()


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Mailbox, int]]:
    async with smtp_server() as server:
        yield server


async def deliver_mail(app: App, sender: EmailSender, **clock: object) -> list[object]:
    outcomes = await deliver.run(app.db, delivery_for(app, **clock), {"email": sender},  # type: ignore[arg-type]
                                 now=MONDAY_8_BERLIN)  # fmt: skip
    return [o.status for o in outcomes]


async def test_a_digest_is_one_multipart_mail_sent_once(
    app: App, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    channel = await add_channel(app.db, ADDRESS, "cat:quant-ph", platform="email", workspace="")
    sender = EmailSender(mail_settings(port), PUBLIC, ask_links=True)
    assert await deliver_mail(app, sender) == ["sent"]
    assert await deliver_mail(app, sender) == ["held"]  # done: never a second mail
    [mail] = mailbox.mails
    assert mailbox.recipients == [[ADDRESS]] and mail["To"] == ADDRESS
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["Message-ID"].startswith("<paperbot.digest.2025-04-28.")
    assert mail["List-Unsubscribe"] == f"<{unsubscribe_url(PUBLIC, SECRET, ADDRESS)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Reply-To"] == "pi@uni.example.org" and "\n" not in mail["Subject"]
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    async with app.db.session() as session:
        rows = list(await session.exec(select(DeliveredPaper).where(
            DeliveredPaper.channel_id == channel.id)))  # fmt: skip
    assert rows and all(r.message_ref == f"{mail['Message-ID']}#{r.position}" for r in rows)
    assert html.count("Ask about this paper") == len(rows) == plain.count("Ask about this paper")
    assert html.count("<h3>") == len(rows) and "https://arxiv.org/abs/" in plain
    assert "quant-ph (" in html and "**" not in plain


async def test_a_resend_after_a_crash_carries_the_same_message_id(
    app: App, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    await add_channel(app.db, ADDRESS, "cat:quant-ph", platform="email", workspace="")
    sender = EmailSender(mail_settings(port), PUBLIC, ask_links=False)
    assert await deliver_mail(app, sender) == ["sent"]
    async with app.db.session() as session:  # as if it crashed after SMTP took the mail
        delivery = (await session.exec(select(Delivery))).one()
        delivery.status, delivery.header_ref = "claimed", "pending"
        delivery.claimed_at -= timedelta(hours=1)
        session.add(delivery)
    later = MONDAY_8_BERLIN + timedelta(minutes=10)
    assert await deliver_mail(app, sender, replica="r2", clock=lambda: later) == ["sent"]
    first, second = mailbox.mails
    assert first["Message-ID"] == second["Message-ID"]  # recognisably the same mail
    assert "Ask about this paper" not in first.get_body(("html",)).get_content()  # type: ignore[union-attr]


async def test_an_address_the_server_refuses_for_good_is_retired(
    app: App, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    mailbox.refuse[ADDRESS] = "550 5.1.1 No such user"
    channel = await add_channel(app.db, ADDRESS, "cat:quant-ph", platform="email", workspace="")
    sender = EmailSender(mail_settings(port), PUBLIC, ask_links=False)
    assert await deliver_mail(app, sender) == ["unavailable"]
    async with app.db.session() as session:
        stored = await session.get(Channel, channel.id)
    assert stored is not None and not stored.active and mailbox.mails == []


async def test_one_click_unsubscribe_and_its_forged_links(app: App) -> None:
    channel = await add_channel(app.db, ADDRESS, "cat:quant-ph", platform="email", workspace="")
    web_app = web.Application()
    web_app.add_routes(email_routes(app.bot, SECRET))
    async with TestClient(TestServer(web_app)) as client:
        path = unsubscribe_url("", SECRET, ADDRESS)
        page = await client.get(path)  # a link scanner's GET changes nothing
        assert page.status == 200 and "<form" in await page.text()
        forged = f"/email/unsubscribe/{address_token('other@uni.example.org')}/{path[-32:]}"
        assert (await client.post(forged, data="List-Unsubscribe=One-Click")).status == 404
        async with app.db.session() as session:
            assert (await session.get(Channel, channel.id)).active  # type: ignore[union-attr]
        done = await client.post(
            path,
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status == 200 and "no more digests" in await done.text()
    async with app.db.session() as session:
        stored = await session.get(Channel, channel.id, populate_existing=True)
    assert stored is not None and not stored.active


async def test_followups_reply_to_the_digest_and_briefings_carry_their_chart(
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    sender = EmailSender(mail_settings(port), PUBLIC, ask_links=False)
    digest_id = "<paperbot.digest.2025-04-28.abc@lab.example.org>"
    here = Conversation("email", ADDRESS, thread=f"{digest_id}#2")
    followup = FollowupPost(here, "**New version v3** of *A paper*", marker="paperbot:followup:7")
    first = await sender.send(followup)
    again = await sender.send(followup)  # a resend: the same Message-ID
    chart = Image(b"\x89PNG fake", "week.png", "papers per day")
    await sender.send(WeeklyBriefing(Conversation("email", ADDRESS), "**Your week**", image=chart))
    reply, resent, briefing = mailbox.mails
    assert first == again == reply["Message-ID"] == resent["Message-ID"]
    assert (
        reply["In-Reply-To"] == digest_id and reply["Subject"] == "Re: New version v3 of A paper"
    )
    [attachment] = list(briefing.iter_attachments())
    assert attachment.get_content_type() == "image/png" and attachment.get_filename() == "week.png"
    assert briefing["Subject"] == "Your week"
