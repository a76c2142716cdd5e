"""The core's posts → Discord message payloads (content, embeds, components; pure).

One renderer per post type (`RENDERERS`), each giving the message parts to post in order:
the core's Markdown as `content` cut into 2,000-character parts (its buttons on the last),
a digest header natively from its digest, and a paper as one embed (linked title, one-liner,
summary fields, links; authors · category · score in the footer) with its buttons. Discord's
limits are kept: 2,000 characters of content, an embed's 256-character title, 4,096 of
description, 2,048 of footer and 6,000 in all, five buttons a row and five rows, 80
characters a label and 100 a custom_id. No post may ping anyone (`allowed_mentions`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from adapters.discord.markdown import clip, escape, split_text
from adapters.discord.parse import custom_id
from bot import posts
from bot.digest.model import Digest, DigestPaper
from bot.digest.render import lead_line, summary_fields, summary_line, trim_authors
from bot.i18n import labels
from bot.messages import Button
from bot.posts import DigestHeader, PaperPost, Post, render_post

MAX_CONTENT, MAX_TITLE, MAX_DESCRIPTION, MAX_FOOTER, MAX_EMBED = 2000, 256, 4096, 2048, 6000
MAX_ROWS, MAX_PER_ROW, MAX_LABEL = 5, 5, 80
EPHEMERAL = 1 << 6  # message flag: seen only by the person who used the interaction
EMBED_COLOUR = 0xB31B1B  # arXiv red
NO_MENTIONS: dict[str, Any] = {"parse": []}
STYLES = {"like": 3, "dislike": 4, "review": 1}  # success, danger, primary; others secondary
Payload = dict[str, Any]


def render(post: Post) -> list[Payload]:
    """The message parts for a post (reply reference and ephemeral flag on each)."""
    parts: list[Payload] = render_post(RENDERERS, post)
    for part in parts:
        part["allowed_mentions"] = NO_MENTIONS
        if post.ephemeral:
            part["flags"] = EPHEMERAL
    if post.reply_to and parts:
        parts[0]["message_reference"] = {"message_id": post.reply_to, "fail_if_not_exists": False}
    return parts


def written(post: Post) -> list[Payload]:
    """A post the core wrote as Markdown: its parts, the buttons on the last."""
    parts: list[Payload] = [{"content": piece} for piece in split_text(post.text, MAX_CONTENT)]
    if not parts:
        parts = [{"content": "…"}]
    if post.buttons:
        parts[-1]["components"] = components(post.buttons)
    return parts


def digest_header(post: DigestHeader) -> list[Payload]:
    """A digest's header (or a quiet day's note) as content."""
    if post.digest is None:
        return written(post)
    return [{"content": piece} for piece in split_text(header_content(post.digest), MAX_CONTENT)]


def header_content(digest: Digest) -> str:
    """Date, counts by category, themes and notes in Discord Markdown."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    lines = [f"## {escape(title)}", escape(summary_line(digest))]
    counts = " · ".join(f"{escape(s.category)} ({s.count})" for s in digest.sections)
    lines += [counts] if counts else []
    if digest.themes:
        lines += [f"**{escape(t['themes'])}**"] + [f"• {escape(x)}" for x in digest.themes]
    lines += [f"-# {escape(note)}" for note in digest.notes]
    return "\n".join(lines)


def paper_post(post: PaperPost) -> list[Payload]:
    """A paper as one embed with its buttons."""
    part: Payload = {"embeds": [paper_embed(post.paper, post.digest.language)]}
    if post.buttons:
        part["components"] = components(post.buttons)
    return [part]


def paper_embed(paper: DigestPaper, language: str) -> Payload:
    """The paper's embed, within Discord's limits."""
    t = labels(language)
    s = paper.summary
    tag = f" ({t['replaced']} v{paper.version})" if paper.is_replacement else ""
    title = clip(f"{paper.number}. {paper.title}{tag}", MAX_TITLE)
    lines = [f"**{escape(lead_line(s))}**"] if lead_line(s) else []
    lines += [f"**{escape(t[name])}:** {escape(getattr(s, name))}" for name in summary_fields(s)]
    if s.keywords:
        lines.append(f"**{escape(t['keywords'])}:** {escape(', '.join(s.keywords))}")
    links = [f"[abs]({paper.abs_url})"] + ([f"[PDF]({paper.pdf_url})"] if paper.pdf_url else [])
    footer = " · ".join((trim_authors(paper.authors, t["et_al"]), paper.primary_category,
                         f"{t['score']} {s.score}/100"))  # fmt: skip
    footer = clip(footer, MAX_FOOTER)
    room = MAX_EMBED - len(title) - len(footer) - 2
    link_line = " · ".join(links)
    body = clip("\n".join(lines), min(MAX_DESCRIPTION, room) - len(link_line) - 1)
    return {
        "type": "rich", "title": title, "url": paper.abs_url, "color": EMBED_COLOUR,
        "description": f"{body}\n{link_line}" if body else link_line,
        "footer": {"text": footer},
    }  # fmt: skip


def components(buttons: tuple[Button, ...]) -> list[Payload]:
    """Action rows of buttons (five a row, five rows); a button whose id won't fit is left out."""
    made = [b for b in (button(x) for x in buttons) if b is not None][: MAX_ROWS * MAX_PER_ROW]
    return [
        {"type": 1, "components": made[i : i + MAX_PER_ROW]}
        for i in range(0, len(made), MAX_PER_ROW)
    ]


def button(b: Button) -> Payload | None:
    """A button component: custom_id `pb:<action>:<value>`, the label cut to 80 characters."""
    encoded = custom_id(b.action, b.value)
    if encoded is None:
        return None
    return {"type": 2, "style": STYLES.get(b.action, 2), "label": clip(b.label, MAX_LABEL),
            "custom_id": encoded}  # fmt: skip


def fingerprint(message: Payload) -> str:
    """A short hash of what identifies a message: content, embed titles and descriptions,
    button ids. The same for the payload sent and the message Discord gives back."""
    embeds = [(e.get("title") or "", e.get("description") or "") for e in message.get("embeds")
              or []]  # fmt: skip
    ids = [c.get("custom_id") or "" for row in message.get("components") or []
           for c in row.get("components") or []]  # fmt: skip
    text = repr(((message.get("content") or "").strip(), embeds, ids))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def nonce(marker: str, part: int) -> str:
    """A scheduled post's nonce (at most 25 characters): the same for every attempt."""
    return hashlib.sha256(f"{marker}#{part}".encode()).hexdigest()[:25]


RENDERERS = {
    posts.Reply: written, posts.Error: written, posts.Answer: written,
    posts.WeeklyBriefing: written, posts.FollowupPost: written,
    DigestHeader: digest_header, PaperPost: paper_post,
}  # fmt: skip
