"""A toy adapter written here, registered by name and built through the documented contract
alone (adapters/README.md), receives a scheduled digest and answers a command."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

import adapters
from bot.adapter import AdapterContext, AdapterSettingsError
from bot.app import App, create_app
from bot.messages import Conversation, IncomingMessage
from bot.posts import (
    Answer,
    DigestHeader,
    Error,
    PaperPost,
    Post,
    Reply,
    Typing,
    UnknownPost,
    WeeklyBriefing,
    render_post,
)
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from jobs import deliver
from paperbot.invalid import InvalidSettings
from paperbot.run import HttpOptions, make_adapters
from tests.botharness import bot_settings
from tests.jobs.conftest import MONDAY_8_BERLIN, QUANT_PH, add_channel, delivery_for

TOY_RENDERERS = {
    DigestHeader: lambda post: f"== {post.text}",
    PaperPost: lambda post: f"[{post.paper.number}] {post.paper.title}",
    Reply: lambda post: post.text, Error: lambda post: f"! {post.text}",
    Answer: lambda post: post.text, Typing: lambda post: "…",
}  # fmt: skip  # the toy knows no weekly briefings or follow-ups


@dataclass
class ToySender:
    """Renders each post by its type (adapters/README.md) and keeps it; ids t1, t2, …"""

    sent: list[Post] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    async def send(self, message: Post) -> str | None:
        """Render and record the post; its id."""
        self.lines.append(render_post(TOY_RENDERERS, message))
        self.sent.append(message)
        return f"t{len(self.sent)}"


@dataclass
class ToyAdapter:
    """A platform whose "messages" are lines handed to `say`."""

    context: AdapterContext
    sender: ToySender = field(default_factory=ToySender)
    running: bool = False

    async def start(self) -> None:
        """Nothing to connect."""
        self.running = True

    async def stop(self) -> None:
        """Nothing to disconnect."""
        self.running = False

    async def say(self, channel: str, text: str) -> None:
        """Someone wrote `text` in `channel`."""
        message = IncomingMessage(Conversation("toy", channel), text, user="u1", is_admin=True)
        await self.context.bot.handle(message, self.sender)


def build_toy(context: AdapterContext) -> ToyAdapter:
    """The toy's builder: refuses to run without the core's bot."""
    if context.bot is None:
        raise AdapterSettingsError("TOY_ needs a bot")
    return ToyAdapter(context)


@pytest.fixture
def registered() -> Iterator[None]:
    adapters.register("toy", build_toy)
    try:
        yield
    finally:
        adapters._REGISTERED.pop("toy", None)


@pytest.fixture
async def app(db: Database) -> AsyncIterator[App]:
    application = await create_app(bot_settings(adapters="console,toy"), db=db)
    async with db.session() as session:
        await upsert_papers(session, parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers)
    try:
        yield application
    finally:
        await application.http.aclose()


@pytest.mark.usefixtures("registered")
async def test_a_registered_adapter_gets_a_digest_and_answers_commands(app: App) -> None:
    built = make_adapters(app, HttpOptions())
    toy = built["toy"]
    assert isinstance(toy, ToyAdapter) and "toy" in adapters.known_adapters()
    await toy.start()
    channel = await add_channel(app.db, "lab", "cat:quant-ph entanglement", platform="toy",
                                workspace="")  # fmt: skip
    outcome = await deliver.run(app.db, delivery_for(app), {"toy": toy.sender},
                                now=MONDAY_8_BERLIN)  # fmt: skip
    assert [o.status for o in outcome] == ["sent"] and channel.id == outcome[0].channel_id
    kinds = [m.kind for m in toy.sender.sent]
    assert kinds[0] == "digest_header" and kinds[1:] and set(kinds[1:]) == {"digest_paper"}
    assert all(m.conversation.platform == "toy" for m in toy.sender.sent)
    assert toy.sender.lines[0].startswith("== ") and toy.sender.lines[1].startswith("[1] ")
    await toy.say("lab", "/topics")
    assert "entanglement" in toy.sender.lines[-1]
    await toy.say("lab", "/review 1")  # no LLM here: refused, as an Error post
    assert toy.sender.lines[-1].startswith("! ")
    await toy.stop()


async def test_a_post_type_the_toy_does_not_know_fails_loudly() -> None:
    toy = ToySender()
    with pytest.raises(UnknownPost, match="WeeklyBriefing"):
        await toy.send(WeeklyBriefing(Conversation("toy", "lab"), "**Week**"))
    assert toy.sent == []  # nothing recorded as sent


def test_unknown_names_and_failing_settings_are_invalid_settings(app: App) -> None:
    with pytest.raises(InvalidSettings, match=r"unknown adapters \['toy'\]"):
        make_adapters(app, HttpOptions())  # not registered in this test
    adapters.register("toy", lambda context: build_toy(AdapterContext(
        context.settings, None, context.db, context.keys)))  # type: ignore[arg-type]  # fmt: skip
    try:
        with pytest.raises(InvalidSettings, match="TOY_ needs a bot"):
            make_adapters(app, HttpOptions())
    finally:
        adapters._REGISTERED.pop("toy", None)
    with pytest.raises(ValueError, match="built-in"):
        adapters.register("slack", build_toy)
