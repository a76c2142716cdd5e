"""Telegram HTML rendering: escaped paper text, ≤ 4,096-character parts, keyboards, placement."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.markup import markdown_to_html
from adapters.telegram.html_split import split_html, visible_length
from adapters.telegram.render import render
from bot.digest.model import Digest, DigestSection
from bot.messages import Conversation
from bot.posts import Answer, Reply, digest_posts
from tests.bot.digest.test_render import HOSTILE, digest_paper, summary
from tests.fakes.telegram_html import parse_html

CHAT = Conversation("telegram", "-1001234567890")
ABS, PDF = "https://arxiv.org/abs/2504.00001", "https://arxiv.org/pdf/2504.00001v1"


def digest_of(*papers: object, **overrides: object) -> Digest:
    values: dict[str, object] = {
        "channel_id": 1,
        "digest_date": date(2025, 4, 28),
        "language": "en",
        "sections": (DigestSection("cs.CL", tuple(papers)),),  # type: ignore[arg-type]
        "matched": 12,
        "themes": ("agents <& tools>",),
        "notes": ("Summaries are extracts.",),
    }
    values.update(overrides)
    return Digest(**values)  # type: ignore[arg-type]


def assert_valid(parts: list[dict[str, object]]) -> list[str]:
    """Every part is balanced Telegram HTML within the limit; return their visible texts."""
    texts = []
    for part in parts:
        problem, visible, _links = parse_html(str(part["text"]))
        assert problem == "", (problem, part["text"])
        assert len(visible.encode("utf-16-le")) // 2 <= 4096
        assert visible_length(str(part["text"])) == len(visible.encode("utf-16-le")) // 2
        texts.append(visible)
    return texts


def test_digest_header_has_date_counts_themes_and_notes() -> None:
    header = digest_posts(digest_of(digest_paper()), CHAT)[0]
    [part] = render(header)
    assert part["text"].startswith("<b>Papers for 2025-04-28</b>\n1 new paper (of 12 that")
    assert "cs.CL (1)" in part["text"]
    assert "<b>Today's themes</b>\n• agents &lt;&amp; tools&gt;" in part["text"]
    assert "<i>Summaries are extracts.</i>" in part["text"]
    assert part["chat_id"] == -1001234567890 and part["parse_mode"] == "HTML"
    assert "reply_markup" not in part


def test_paper_post_links_title_and_escapes_everything_it_quotes() -> None:
    paper = digest_paper(
        title=HOSTILE, authors=("A", "B", "C", "D<x>"), summary=summary(tldr=HOSTILE)
    )
    message = digest_posts(digest_of(paper), CHAT)[1]
    [part] = render(message)
    text = str(part["text"])
    problem, visible, links = parse_html(text)
    assert problem == ""
    assert links == [ABS, ABS, PDF]
    title = f'<b>1. <a href="{ABS}">A &lt;b&gt;bold&lt;/b&gt; &amp; *starry*'
    assert text.startswith(f"One line.\n{title}")  # the one-liner leads, then the title
    assert "A, B, C et al. · cs.CL · Score 60/100" in visible
    assert f"TL;DR: {HOSTILE}" in visible and "Keywords: x, y, z" in visible
    keyboard = part["reply_markup"].to_dict()["inline_keyboard"]  # type: ignore[union-attr]
    assert [(b["text"], b["callback_data"]) for b in keyboard[0]] == [
        ("👍", "like:arxiv:2504.00001"),
        ("👎", "dislike:arxiv:2504.00001"),
        ("Review", "review:arxiv:2504.00001"),
        ("More like this", "more:arxiv:2504.00001"),
    ]


def test_non_http_links_are_not_linked() -> None:
    paper = digest_paper(abs_url="javascript:alert(1)", pdf_url=None)
    [part] = render(digest_posts(digest_of(paper), CHAT)[1])
    assert "<a " not in str(part["text"]) and "javascript" not in str(part["text"])


def test_markdown_reply_becomes_html() -> None:
    text = "**Commands**\n`subscribe <query>`: follow [docs](https://x.org/?a=1&b=2) \\*a\\* <b>"
    [part] = render(Reply(CHAT, text))
    assert part["text"] == (
        "<b>Commands</b>\n<code>subscribe &lt;query&gt;</code>: follow "
        '<a href="https://x.org/?a=1&amp;b=2">docs</a> *a* &lt;b&gt;'
    )


def test_placement_replies_to_reply_to_else_the_thread() -> None:
    [answer] = render(Answer(CHAT.in_thread("105"), "x", reply_to="110"))
    assert answer["reply_parameters"].message_id == 110  # type: ignore[union-attr]
    [in_thread] = render(Reply(CHAT.in_thread("105"), "x"))
    assert in_thread["reply_parameters"].message_id == 105  # type: ignore[union-attr]
    assert in_thread["reply_parameters"].allow_sending_without_reply  # type: ignore[union-attr]
    [plain] = render(Reply(CHAT, "x"))
    assert "reply_parameters" not in plain


def test_long_message_splits_at_paragraphs_with_keyboard_on_the_last_part() -> None:
    paragraphs = [f"**Part {i}** " + "word " * 300 for i in range(8)]
    paper = digest_paper()
    message = Reply(CHAT, "\n\n".join(paragraphs), buttons=digest_posts(
        digest_of(paper), CHAT)[1].buttons)  # fmt: skip
    parts = render(message)
    texts = assert_valid(parts)
    assert len(parts) > 1
    assert all(t.startswith("Part") for t in texts)  # cut at paragraph boundaries
    assert ["reply_markup" in p for p in parts] == [False] * (len(parts) - 1) + [True]


def test_split_reopens_tags_across_a_cut() -> None:
    html = "<b>" + "x" * 5000 + "</b>"
    parts = split_html(html)
    assert [visible_length(p) for p in parts] == [4096, 904]
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_entities_are_never_cut_and_count_as_one() -> None:
    parts = split_html("&amp;" * 5000)
    assert [visible_length(p) for p in parts] == [4096, 904]
    assert all(p.count("&amp;") * 5 == len(p) for p in parts)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=9000))
def test_any_markdown_renders_into_valid_parts(text: str) -> None:
    assert_valid(render(Reply(CHAT, text)))


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=6000), st.text(max_size=6000))
def test_no_paper_text_can_inject_a_tag_or_link(title: str, tldr: str) -> None:
    paper = digest_paper(title=title, summary=summary(tldr=tldr, keywords=(title[:50],)))
    parts = render(digest_posts(digest_of(paper, themes=(tldr[:80],)), CHAT)[1])
    texts = assert_valid(parts)
    for part in parts:
        _problem, _visible, links = parse_html(str(part["text"]))
        assert set(links) <= {ABS, PDF}
    assert title.strip() in "".join(texts) or not title.strip()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab <>&*_`[]()\\\n.é😀"), max_size=12000))
def test_markup_heavy_text_stays_balanced(text: str) -> None:
    html = markdown_to_html(text)
    assert parse_html(html)[0] == ""
    assert_valid([{"text": p} for p in split_html(html)])
