"""The core's posts → chat.postMessage keyword arguments with Block Kit blocks (pure).

One renderer per post type (`RENDERERS`): digest headers and paper posts are rendered natively
from their digest and paper, the other types from their neutral Markdown; a type without a
renderer raises `UnknownPost`. A typing indicator is not a message (the sender reacts).
Paper text is escaped with `mrkdwn.escape`, so it cannot ping, link or break the formatting
around it. Block Kit limits are kept: at most 50 blocks, 3,000 characters a section, 150 a
header, 75 a button's text and 2,000 its value.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.mrkdwn import escape, from_markdown, link, split_text
from bot import posts
from bot.digest.model import Digest, DigestPaper
from bot.digest.render import lead_line, summary_fields, summary_line, trim_authors
from bot.i18n import labels
from bot.messages import Button
from bot.posts import DigestHeader, PaperPost, Post, render_post

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000
MAX_TITLE = 500  # escaped, a title this long still fits one section with its link intact
Block = dict[str, Any]


METADATA_EVENT = "paperbot_post"  # message metadata carrying a scheduled post's marker


def render(message: Post) -> dict[str, Any]:
    """The chat.postMessage kwargs for a post: channel, text fallback, blocks, thread_ts."""
    blocks, text = render_post(RENDERERS, message)
    kwargs: dict[str, Any] = {
        "channel": message.conversation.channel,
        "text": split_text(text, MAX_FALLBACK)[0],
        "blocks": cap_blocks(blocks),
    }
    if message.conversation.thread:
        kwargs["thread_ts"] = message.conversation.thread
    if message.marker:
        kwargs["metadata"] = {
            "event_type": METADATA_EVENT,
            "event_payload": {"marker": message.marker},
        }
    return kwargs


def written_blocks(post: Post) -> tuple[list[Block], str]:
    """A post the core wrote as Markdown: its sections, then its buttons."""
    body = from_markdown(post.text)
    return sections(body) + ([actions(post.buttons)] if post.buttons else []), body


def digest_header_blocks(post: DigestHeader) -> tuple[list[Block], str]:
    """A digest header (or a quiet day's note)."""
    if post.digest is None:
        return written_blocks(post)
    return header_blocks(post.digest), header_fallback(post.digest)


def paper_post_blocks(post: PaperPost) -> tuple[list[Block], str]:
    """A paper post with its buttons."""
    paper = post.paper
    blocks = paper_blocks(paper, post.digest.language, post.buttons)
    return blocks, f"{paper.number}. {escape(paper.title[:MAX_TITLE])}"


def mrkdwn(text: str) -> dict[str, Any]:
    """A verbatim mrkdwn text object (no auto-linking, no mention parsing)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def sections(text: str) -> list[Block]:
    """Section blocks holding the text, split to fit 3,000 characters each."""
    return [
        {"type": "section", "text": mrkdwn(piece)}
        for piece in split_text(text, MAX_SECTION)
        if piece
    ]


def cap_blocks(blocks: list[Block]) -> list[Block]:
    """At most 50 blocks; a trailing actions block is kept."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    if blocks[-1]["type"] == "actions":
        return [*blocks[: MAX_BLOCKS - 1], blocks[-1]]
    return blocks[:MAX_BLOCKS]


def button(b: Button) -> Block:
    """A Block Kit button: action_id = Button.action, value = Button.value (the paper key)."""
    return {
        "type": "button",
        "action_id": b.action,
        "text": {"type": "plain_text", "text": b.label[:MAX_BUTTON_TEXT], "emoji": True},
        "value": b.value[:MAX_BUTTON_VALUE],
    }


def actions(buttons: tuple[Button, ...]) -> Block:
    """An actions block with the message's buttons."""
    return {"type": "actions", "elements": [button(b) for b in buttons[:25]]}


def header_fallback(digest: Digest) -> str:
    """The header's notification text."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    line = summary_line(digest)
    return f"{title}: {line}"


def header_blocks(digest: Digest) -> list[Block]:
    """The digest header: date, counts by category, today's themes and the footer notes."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:MAX_HEADER]}}
    ]
    counts = " · ".join(f"{escape(s.category)} ({s.count})" for s in digest.sections)
    line = summary_line(digest)
    blocks += sections(f"{escape(line)}\n{counts}")
    if digest.themes:
        themes = "\n".join(f"• {escape(theme)}" for theme in digest.themes)
        blocks += sections(f"*{escape(t['themes'])}*\n{themes}")
    notes = [escape(note) for note in digest.notes]
    if notes:
        elements = [mrkdwn(split_text(n, MAX_SECTION)[0]) for n in notes[:10]]
        blocks.append({"type": "context", "elements": elements})
    return blocks


def paper_blocks(paper: DigestPaper, language: str, buttons: tuple[Button, ...]) -> list[Block]:
    """One paper: one-liner, linked title, authors · category · score, fields, links, buttons."""
    t = labels(language)
    s = paper.summary
    tag = f" ({escape(t['replaced'])} v{paper.version})" if paper.is_replacement else ""
    name = paper.title if len(paper.title) <= MAX_TITLE else paper.title[: MAX_TITLE - 1] + "…"
    title = f"*{paper.number}. {link(paper.abs_url, escape(name))}*{tag}"
    meta = " · ".join(
        (
            escape(trim_authors(paper.authors, t["et_al"])),
            escape(paper.primary_category),
            f"{escape(t['score'])} {s.score}/100",
        )
    )
    blocks = (sections(escape(lead_line(s))) if lead_line(s) else []) + sections(title)
    blocks.append({"type": "context", "elements": [mrkdwn(split_text(meta, MAX_SECTION)[0])]})
    for name in summary_fields(s):
        blocks += sections(f"*{escape(t[name])}:* {escape(getattr(s, name))}")
    if s.keywords:
        blocks += sections(f"*{escape(t['keywords'])}:* {escape(', '.join(s.keywords))}")
    links = [link(paper.abs_url, "abs")] + ([link(paper.pdf_url, "PDF")] if paper.pdf_url else [])
    blocks += sections(" · ".join(links))
    if buttons:
        blocks.append(actions(buttons))
    return blocks


RENDERERS = {
    posts.Reply: written_blocks, posts.Error: written_blocks, posts.Answer: written_blocks,
    posts.WeeklyBriefing: written_blocks, posts.FollowupPost: written_blocks,
    DigestHeader: digest_header_blocks, PaperPost: paper_post_blocks,
}  # fmt: skip
