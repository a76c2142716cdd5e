"""The core's posts → sendMessage keyword arguments (pure).

One renderer per post type (`RENDERERS`), each giving the post's HTML; a type without one
raises `UnknownPost`. A typing indicator is not a message (the sender sends a chat action).

Messages are HTML (parse_mode HTML) with every piece of paper text escaped; a message longer
than Telegram's 4,096 characters is split into parts (see html_split), the inline keyboard goes
on the last part. Placement: `reply_to` (or else the conversation's thread: a paper post or a
forum topic's root message) becomes `reply_parameters`, which also puts the message in the
right forum topic; `allow_sending_without_reply` keeps it postable if that message is gone.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode

from adapters.markup import LINK_SCHEMES, escape, href, markdown_to_html
from adapters.telegram.callbacks import callback_data
from adapters.telegram.html_split import split_html
from bot import posts
from bot.digest.model import Digest, DigestPaper
from bot.digest.render import lead_line, summary_fields, summary_line, trim_authors
from bot.i18n import labels
from bot.messages import Button
from bot.posts import DigestHeader, Image, PaperPost, Post, render_post

KEYBOARD_ACTIONS = ("like", "dislike", "review", "more")  # asking is replying to the post
MAX_CAPTION = 1024


def render(message: Post) -> list[dict[str, Any]]:
    """The sendMessage kwargs for each part of the message (empty for a message with no text)."""
    parts = split_html(message_html(message))
    placement = _placement(message)
    kwargs = [
        {
            "chat_id": chat_id(message.conversation.channel),
            "text": part,
            "parse_mode": ParseMode.HTML,
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
            **placement,
        }
        for part in parts
    ]
    keyboard = inline_keyboard(message.buttons)
    if kwargs and keyboard is not None:
        kwargs[-1]["reply_markup"] = keyboard
    return kwargs


def chat_id(channel: str) -> int | str:
    """A numeric chat id as an int; a `@channelusername` stays a string."""
    return int(channel) if channel.lstrip("-").isdigit() else channel


def message_html(message: Post) -> str:
    """The whole post as Telegram HTML, before splitting."""
    return render_post(RENDERERS, message)


def written_html(post: Post) -> str:
    """A post the core wrote as Markdown."""
    return markdown_to_html(post.text)


def digest_header_html(post: DigestHeader) -> str:
    """A digest header (or a quiet day's note)."""
    return header_html(post.digest) if post.digest is not None else written_html(post)


def paper_post_html(post: PaperPost) -> str:
    """A paper post."""
    return paper_html(post.paper, post.digest.language)


def header_html(digest: Digest) -> str:
    """The digest's first message: date, counts by category, themes and notes."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    lines = [
        f"<b>{escape(title)}</b>",
        escape(summary_line(digest)),
        escape(" · ".join(f"{s.category} ({s.count})" for s in digest.sections)),
    ]
    if digest.themes:
        lines.append(f"\n<b>{escape(t['themes'])}</b>")
        lines.extend(f"• {escape(theme)}" for theme in digest.themes)
    lines.extend(f"<i>{escape(note)}</i>" for note in digest.notes)
    return "\n".join(lines)


def paper_html(paper: DigestPaper, language: str) -> str:
    """One paper: one-liner, linked title, authors, category, score, summary fields, links."""
    t = labels(language)
    s = paper.summary
    tag = f" ({escape(t['replaced'])} v{paper.version})" if paper.is_replacement else ""
    meta = [trim_authors(paper.authors, t["et_al"]), paper.primary_category]
    meta.append(f"{t['score']} {s.score}/100")
    lines = [
        *([escape(lead_line(s))] if lead_line(s) else []),
        f"<b>{paper.number}. {link(paper.title, paper.abs_url)}</b>{tag}",
        escape(" · ".join(m for m in meta if m)),
        "",
    ]
    for name in summary_fields(s):
        lines.append(f"<b>{escape(t[name])}:</b> {escape(getattr(s, name))}")
    if s.keywords:
        lines.append(f"<b>{escape(t['keywords'])}:</b> {escape(', '.join(s.keywords))}")
    links = [link("abs", paper.abs_url)] + ([link("PDF", paper.pdf_url)] if paper.pdf_url else [])
    lines.append(" · ".join(links))
    return "\n".join(lines)


def link(text: str, url: str) -> str:
    """An escaped link; plain escaped text when the URL is not http(s)."""
    if not url.startswith(LINK_SCHEMES):
        return escape(text)
    return f'<a href="{href(url)}">{escape(text)}</a>'


def inline_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One row of the buttons Telegram shows (👍, 👎, Review), or None."""
    row = [
        InlineKeyboardButton(b.label, callback_data=callback_data(b.action, b.value))
        for b in buttons
        if b.action in KEYBOARD_ACTIONS
    ]
    return InlineKeyboardMarkup([row]) if row else None


def _placement(message: Post) -> dict[str, Any]:
    target = message.reply_to or message.conversation.thread
    if target is None or not target.isdigit():
        return {}
    return {"reply_parameters": ReplyParameters(int(target), allow_sending_without_reply=True)}


def photo_kwargs(message: Post, image: Image) -> dict[str, Any]:
    """The sendPhoto kwargs for a post's image: the bytes, file name, a short caption."""
    caption = image.alt.split("\n", 1)[0][:MAX_CAPTION]
    return {
        "chat_id": chat_id(message.conversation.channel),
        "photo": image.data,
        "filename": image.name or "image.png",
        "caption": caption or None,
        **_placement(message),
    }


RENDERERS = {
    posts.Reply: written_html, posts.Error: written_html, posts.Answer: written_html,
    posts.WeeklyBriefing: written_html, posts.FollowupPost: written_html,
    DigestHeader: digest_header_html, PaperPost: paper_post_html,
}  # fmt: skip
