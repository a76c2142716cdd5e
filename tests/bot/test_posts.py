"""Posts are typed: each adapter renders each type once, and a type it does not know raises."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest

from adapters.console import ConsoleSender
from adapters.discord import render as discord_render
from adapters.matrix import render as matrix_render
from adapters.slack import render as slack_render
from adapters.telegram import render as telegram_render
from bot.messages import Conversation
from bot.posts import POST_TYPES, DigestHeader, Reply, Typing, UnknownPost, render_post

HERE = Conversation("console", "lab")


@dataclass(frozen=True)
class Poll(Reply):
    """A post type no adapter has a renderer for, though it is a Reply underneath."""


@pytest.mark.parametrize(
    "renderers",
    [
        slack_render.RENDERERS,
        telegram_render.RENDERERS,
        discord_render.RENDERERS,
        matrix_render.RENDERERS,
    ],
)
def test_every_adapter_renders_every_post_type(renderers: dict[type, object]) -> None:
    # Typing is no message: the senders react or send a chat action for it
    assert set(renderers) == set(POST_TYPES) - {Typing}


def test_a_subclass_is_not_rendered_as_its_parent() -> None:
    poll = Poll(HERE, "Which paper next?")
    with pytest.raises(UnknownPost, match="Poll"):
        slack_render.render(poll)
    with pytest.raises(UnknownPost, match="Poll"):
        telegram_render.render(poll)
    with pytest.raises(UnknownPost, match="Poll"):
        matrix_render.render(poll)
    with pytest.raises(UnknownPost, match="Poll"):
        discord_render.render(poll)
    assert render_post({Reply: lambda p: p.text}, Reply(HERE, "ok")) == "ok"


async def test_the_console_refuses_an_unknown_post_and_prints_nothing() -> None:
    out = StringIO()
    sender = ConsoleSender(out)
    with pytest.raises(UnknownPost):
        await sender.send(Poll(HERE, "Which paper next?"))
    assert out.getvalue() == ""
    assert await sender.send(DigestHeader(HERE, note="Nothing new today.")) == "console:1"
    assert out.getvalue() == "Nothing new today.\n"
