"""Matrix rendering (pure): plain body and escaped HTML formatted_body for every post type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.matrix.render import HTML_FORMAT, RENDERERS, render
from bot.digest.model import Digest, DigestSection
from bot.messages import Conversation
from bot.posts import (
    POST_TYPES,
    Answer,
    DigestHeader,
    Error,
    FollowupPost,
    Image,
    Reply,
    Typing,
    UnknownPost,
    WeeklyBriefing,
    digest_posts,
)
from tests.bot.digest.test_render import HOSTILE, digest_paper, summary

ROOM = Conversation("matrix", "!room:localhost")
ABS, PDF = "https://arxiv.org/abs/2504.00001", "https://arxiv.org/pdf/2504.00001v1"
ALLOWED = {"b", "i", "a", "code", "pre", "blockquote", "br", "p", "h3", "ul", "li"}


class Tags(HTMLParser):
    """Collects the tags and link targets of an HTML fragment, checking they are balanced."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        assert all(name == "href" for name, _ in attrs), attrs
        self.links += [str(value) for name, value in attrs if name == "href"]
        if tag != "br":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, (tag, self.open)


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    assert parser.open == [] and set(parser.tags) <= ALLOWED, parser.tags
    assert all(link.startswith("https://") for link in parser.links), parser.links
    return parser


def digest_of(*papers: object) -> Digest:
    return Digest(channel_id=1, digest_date=date(2025, 4, 28), language="en",
                  sections=(DigestSection("cs.CL", tuple(papers)),),  # type: ignore[arg-type]
                  matched=12, themes=("agents <& tools>",),
                  notes=("Summaries are extracts.",))  # fmt: skip


@dataclass(frozen=True)
class Poll(Reply):
    """A post type the adapter has no renderer for."""


def test_every_post_type_but_typing_has_a_renderer_and_a_subclass_is_unknown() -> None:
    assert set(RENDERERS) == set(POST_TYPES) - {Typing}
    with pytest.raises(UnknownPost, match="Poll"):
        render(Poll(ROOM, "Which paper next?"))


@pytest.mark.parametrize("post_type", [Reply, Error, Answer, FollowupPost, WeeklyBriefing])
def test_written_posts_are_html_notices_with_a_plain_body(post_type: type[Reply]) -> None:
    text = "**Commands**\n`subscribe <query>`: see [docs](https://x.org/?a=1&b=2) \\*a\\* <b>"
    content = render(post_type(ROOM, text))
    assert content["msgtype"] == "m.notice" and content["format"] == HTML_FORMAT
    assert (
        content["body"]
        == "Commands\n`subscribe <query>`: see docs (https://x.org/?a=1&b=2) *a* <b>"
    )
    assert content["formatted_body"] == (
        "<b>Commands</b><br>\n<code>subscribe &lt;query&gt;</code>: see "
        '<a href="https://x.org/?a=1&amp;b=2">docs</a> *a* &lt;b&gt;'
    )
    assert "m.relates_to" not in content and "io.paperbot.marker" not in content


def test_digest_header_has_date_counts_themes_notes_and_the_vote_hint() -> None:
    header = digest_posts(digest_of(digest_paper()), ROOM)[0]
    content = render(header)
    html = content["formatted_body"]
    assert html.startswith("<h3>Papers for 2025-04-28</h3>\n<p>1 new paper (of 12 that")
    assert "cs.CL (1)" in html and "<li>agents &lt;&amp; tools&gt;</li>" in html
    assert "<i>Summaries are extracts.</i>" in html and "React 👍 or 👎" in html
    assert content["body"].startswith("Papers for 2025-04-28") and "React 👍" in content["body"]
    tags_of(html)
    quiet = render(DigestHeader(ROOM, note="Nothing new <today>."))
    assert quiet["body"] == "Nothing new <today>." and "&lt;today&gt;" in quiet["formatted_body"]


def test_paper_post_escapes_what_it_quotes_and_offers_its_vote_reactions() -> None:
    paper = digest_paper(title=HOSTILE, authors=("A", "B", "C", "D<x>"),
                         summary=summary(tldr=HOSTILE))  # fmt: skip
    post = digest_posts(digest_of(paper), ROOM)[1]
    content = render(post)
    parsed = tags_of(content["formatted_body"])
    assert parsed.links == [ABS, ABS, PDF]  # the title, abs and PDF: no link from paper text
    assert f'<b>1. <a href="{ABS}">A &lt;b&gt;bold&lt;/b&gt; &amp; *starry*' in content[
        "formatted_body"]  # fmt: skip
    assert "A, B, C et al. · cs.CL · Score 60/100" in content["formatted_body"]
    assert content["io.paperbot.reactions"] == {"👍": ["like", "arxiv:2504.00001"],
                                                "👎": ["dislike", "arxiv:2504.00001"]}  # fmt: skip
    assert HOSTILE.split(" [x]")[0].replace("*", "") in content["body"].replace("*", "")


def test_non_http_links_are_not_linked() -> None:
    paper = digest_paper(abs_url="javascript:alert(1)", pdf_url=None)
    content = render(digest_posts(digest_of(paper), ROOM)[1])
    assert "<a " not in content["formatted_body"] and "javascript" not in content["formatted_body"]


def test_placement_threads_answers_and_keeps_digest_posts_top_level() -> None:
    answer = render(Answer(ROOM.in_thread("$paper"), "x", reply_to="$question"))
    assert answer["m.relates_to"] == {"rel_type": "m.thread", "event_id": "$paper",
                                      "is_falling_back": False,
                                      "m.in_reply_to": {"event_id": "$question"}}  # fmt: skip
    in_thread = render(Reply(ROOM.in_thread("$paper"), "x"))["m.relates_to"]
    assert in_thread["is_falling_back"] and in_thread["m.in_reply_to"] == {"event_id": "$paper"}
    header = DigestHeader(ROOM.in_thread("$paper"), note="quiet", marker="paperbot:1:2")
    content = render(header)
    assert "m.relates_to" not in content and content["io.paperbot.marker"] == "paperbot:1:2"


def test_a_briefing_renders_its_text_and_leaves_the_image_to_the_sender() -> None:
    briefing = WeeklyBriefing(ROOM, "**Week 17**\n| a | b |", image=Image(b"png", alt="chart"))
    assert render(briefing)["body"] == "Week 17\n| a | b |"


@given(st.text(max_size=300))
def test_any_markdown_renders_to_balanced_allowed_html(text: str) -> None:
    html = render(Reply(ROOM, text))["formatted_body"]
    tags_of(html)
    outside_pre = re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)
    assert "\n" not in outside_pre.replace("<br>\n", "")  # Matrix HTML would lose the break
