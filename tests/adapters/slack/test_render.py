"""Block Kit rendering: digest posts, replies, limits, and paper text that can't ping or link."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.mrkdwn import ZWSP, escape, from_markdown, split_text
from adapters.slack.render import MAX_BLOCKS, MAX_SECTION, render
from bot.digest.model import Digest, DigestSection
from bot.messages import Button, Conversation
from bot.posts import Reply, digest_posts, paper_buttons
from tests.bot.digest.test_render import HOSTILE, digest_paper, summary

CONVERSATION = Conversation("slack", "C1", "T1")
ABS = "https://arxiv.org/abs/2504.00001"
PDF = "https://arxiv.org/pdf/2504.00001v1"
LINK = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")


def texts(value: Any) -> list[str]:
    """Every string under a rendered payload (block texts, button labels, fallback)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("value", "action_id") for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def make_digest(*papers: Any, themes: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> Digest:
    return Digest(
        channel_id=1,
        digest_date=date(2025, 4, 28),
        language="en",
        sections=(DigestSection("cs.CL", tuple(papers)),),
        matched=12,
        themes=themes,
        notes=notes,
    )


def paper_payload(**overrides: Any) -> dict[str, Any]:
    paper = digest_paper(**overrides)
    digest = make_digest(paper)
    return render(digest_posts(digest, CONVERSATION)[1])


def assert_inert(payload: dict[str, Any], allowed: set[str]) -> None:
    for text in texts(payload):
        assert "<!" not in text and "<@" not in text and "<#" not in text, text
        assert {m for m in LINK.findall(text)} <= allowed, text


def test_paper_post_has_linked_title_meta_fields_links_and_buttons() -> None:
    authors = ("Ada", "Bob", "Cy", "Dee")
    payload = paper_payload(authors=authors, summary=summary(score=77))
    assert payload["channel"] == "C1" and "thread_ts" not in payload
    blocks = payload["blocks"]
    assert blocks[0]["text"]["text"] == "One line."  # the one-liner leads each paper
    assert blocks[1]["text"]["text"] == f"*1. <{ABS}|A title>*"
    meta = blocks[2]["elements"][0]["text"]
    assert meta == "Ada, Bob, Cy et al. · cs.CL · Score 77/100"
    body = "\n".join(texts(blocks))
    for label in ("TL;DR", "Motivation", "Method", "Result", "Conclusion", "Keywords"):
        assert f"*{label}:*" in body
    assert f"<{ABS}|abs> · <{PDF}|PDF>" in body
    actions = blocks[-1]
    assert actions["type"] == "actions"
    rendered = [(e["action_id"], e["value"], e["text"]["text"]) for e in actions["elements"]]
    assert rendered == [(b.action, b.value, b.label) for b in paper_buttons(digest_paper())]
    assert rendered[:4] == [
        ("like", "arxiv:2504.00001", "👍"),
        ("dislike", "arxiv:2504.00001", "👎"),
        ("review", "arxiv:2504.00001", "Review"),
        ("ask", "arxiv:2504.00001", "Ask"),
    ]
    assert payload["text"] == "1. A title"


def test_header_has_date_counts_themes_and_notes() -> None:
    digest = make_digest(digest_paper(), themes=("agents <!here>",), notes=("no LLM *today*",))
    payload = render(digest_posts(digest, CONVERSATION)[0])
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Papers for 2025-04-28"},
    }
    body = "\n".join(texts(blocks))
    assert "1 new paper (of 12 that matched your topics)" in body
    assert "cs.CL (1)" in body
    assert "*Today's themes*" in body and "• agents &lt;!here&gt;" in body
    assert f"no LLM {ZWSP}*{ZWSP}today{ZWSP}*{ZWSP}" in body
    assert_inert(payload, set())


def test_hostile_paper_text_is_inert() -> None:
    payload = paper_payload(title=HOSTILE, authors=(HOSTILE,), summary=summary(tldr=HOSTILE))
    assert_inert(payload, {ABS, PDF})
    title = payload["blocks"][1]["text"]["text"]
    assert "&lt;!channel&gt;" in title and "&amp;" in title
    assert "*starry*" not in title and f"{ZWSP}*{ZWSP}starry{ZWSP}*{ZWSP}" in title


def test_escape_then_strip_zero_width_gives_entities_of_the_original() -> None:
    assert escape("a_b*c~d`e").replace(ZWSP, "") == "a_b*c~d`e"
    assert escape("<&>") == "&lt;&amp;&gt;"


def test_long_fields_are_split_and_blocks_capped() -> None:
    long = "word " * 2000
    payload = paper_payload(summary=summary(method=long, result=long, tldr=long * 3))
    blocks = payload["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(t) <= MAX_SECTION for t in texts(blocks))
    assert blocks[-1]["type"] == "actions"
    assert len(payload["text"]) <= 3000


def test_button_limits() -> None:
    message = Reply(
        CONVERSATION, "pick", buttons=(Button("more", "x" * 100, "k" * 3000),)
    )
    [button] = render(message)["blocks"][-1]["elements"]
    assert len(button["text"]["text"]) == 75 and len(button["value"]) == 2000


def test_split_never_cuts_an_entity() -> None:
    pieces = split_text("&amp;" * 1000, 3000)
    assert all(p.endswith(";") for p in pieces)
    assert "".join(pieces) == "&amp;" * 1000


def test_neutral_markdown_replies_become_mrkdwn() -> None:
    text = (
        "**Commands**\n- `subscribe <query>`: add [docs](https://example.org/a?b=1) "
        "\\*not bold\\* a<b & c"
    )
    converted = from_markdown(text)
    assert converted.startswith("*Commands*\n• `subscribe &lt;query&gt;`")
    assert "<https://example.org/a?b=1|docs>" in converted
    assert f"{ZWSP}*{ZWSP}not bold{ZWSP}*{ZWSP}" in converted
    assert converted.endswith("a&lt;b &amp; c")
    assert from_markdown("[x](javascript:alert)") == "x"


def test_reply_in_thread_and_ephemeral_flags() -> None:
    message = Reply(CONVERSATION.in_thread("9.9"), "Noted <!channel>", ephemeral=True)
    payload = render(message)
    assert payload["thread_ts"] == "9.9"
    assert payload["text"] == "Noted &lt;!channel&gt;"
    assert payload["blocks"][0]["text"]["verbatim"] is True


PIECES = [*"<>!@#&|*_~`[]()\\:/ .aZ\n", "<!channel>", "<@U1>", "<#C1>", "http://x.y", "&lt;"]
hostile_text = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PIECES)).map("".join))


@settings(max_examples=200, deadline=None)
@given(title=hostile_text, abstract=hostile_text, author=hostile_text, keyword=hostile_text)
def test_no_paper_text_can_ping_or_link(
    title: str, abstract: str, author: str, keyword: str
) -> None:
    fields = summary(
        tldr=abstract,
        motivation=abstract,
        method=abstract,
        result=abstract,
        conclusion=abstract,
        keywords=(keyword,),
    )
    paper = digest_paper(title=title, authors=(author,), summary=fields)
    digest = make_digest(paper, themes=(title,), notes=(abstract,))
    for message in digest_posts(digest, CONVERSATION):
        assert_inert(render(message), {ABS, PDF})
