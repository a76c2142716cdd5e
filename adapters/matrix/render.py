"""The core's posts → `m.room.message` content (pure): a plain `body` and an HTML `formatted_body`.

One renderer per post type (`RENDERERS`) gives a `Rendered` (plain text and HTML); a type
without one raises `UnknownPost`. A typing indicator is no message (the sender sends a typing
notice). Messages are `m.notice` (what bots send, and what other bots ignore), with
`format: org.matrix.custom.html`; every piece of paper text is escaped and only http(s) links
become links. Line breaks are `<br>` outside `<pre>`, since Matrix HTML collapses them.

Placement (`relation`): a post in a conversation thread goes into that thread (`m.thread`, with
an `m.in_reply_to` to the asker's message when `reply_to` is set); digest posts always start a
thread of their own. A paper post carries the reactions that vote on it (`io.paperbot.reactions`:
key → [action, value] of its Button) and a scheduled post its `marker`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapters.markup import LINK_SCHEMES, escape, href, markdown_to_html
from adapters.matrix.parse import MARKER_FIELD, REACTIONS_FIELD
from bot import posts
from bot.digest.model import Digest, DigestPaper
from bot.digest.render import lead_line, summary_fields, summary_line, trim_authors
from bot.i18n import labels
from bot.posts import DigestHeader, PaperPost, Post, render_post

HTML_FORMAT = "org.matrix.custom.html"
VOTE_ACTIONS = ("like", "dislike")  # buttons a reaction casts (their labels are the keys)
VOTE_HINT = "React 👍 or 👎 on a paper to vote; reply in its thread to ask about it."
_PRE = re.compile(r"(<pre>.*?</pre>)", re.DOTALL)
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|~!(){}.+-])")


@dataclass(frozen=True)
class Rendered:
    """A post as Matrix shows it: plain text for `body`, HTML for `formatted_body`."""

    body: str
    html: str


def render(post: Post) -> dict[str, Any]:
    """The `m.room.message` content for a post (raises UnknownPost for an unknown type)."""
    rendered = render_post(RENDERERS, post)
    content: dict[str, Any] = {
        "msgtype": "m.notice", "body": rendered.body,
        "format": HTML_FORMAT, "formatted_body": rendered.html,
    }  # fmt: skip
    placement = relation(post)
    if placement:
        content["m.relates_to"] = placement
    reactions = vote_reactions(post)
    if reactions:
        content[REACTIONS_FIELD] = reactions
    if post.marker:
        content[MARKER_FIELD] = post.marker
    return content


def relation(post: Post) -> dict[str, Any]:
    """Where the post goes: into its conversation's thread, as a reply, or top level ({})."""
    thread = post.conversation.thread
    if thread and not isinstance(post, DigestHeader | PaperPost):
        return {"rel_type": "m.thread", "event_id": thread, "is_falling_back": not post.reply_to,
                "m.in_reply_to": {"event_id": post.reply_to or thread}}  # fmt: skip
    if post.reply_to:
        return {"m.in_reply_to": {"event_id": post.reply_to}}
    return {}


def vote_reactions(post: Post) -> dict[str, list[str]]:
    """The reaction keys that vote on this post: a vote button's label → [action, value]."""
    return {b.label: [b.action, b.value] for b in post.buttons if b.action in VOTE_ACTIONS}


def plain(markdown: str) -> str:
    """Neutral Markdown as plain text: links as "text (url)", no bold markers or escapes."""
    linked = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", markdown)
    return _ESCAPED.sub(r"\1", linked.replace("**", ""))


def line_breaks(html: str) -> str:
    """`\\n` as `<br>` everywhere but inside `<pre>` blocks."""
    parts = _PRE.split(html)
    return "".join(p if p.startswith("<pre>") else p.replace("\n", "<br>\n") for p in parts)


def written(post: Post) -> Rendered:
    """A post the core wrote as Markdown."""
    return Rendered(plain(post.text), line_breaks(markdown_to_html(post.text)))


def digest_header(post: DigestHeader) -> Rendered:
    """A digest's header (or a quiet day's note)."""
    if post.digest is None:
        return written(post)
    return Rendered(f"{plain(post.text)}\n\n{VOTE_HINT}", header_html(post.digest))


def paper_post(post: PaperPost) -> Rendered:
    """One paper of a digest."""
    return Rendered(plain(post.text), paper_html(post.paper, post.digest.language))


def header_html(digest: Digest) -> str:
    """The digest's first message: title, counts by category, themes, notes, the vote hint."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    lines = [
        f"<h3>{escape(title)}</h3>",
        f"<p>{escape(summary_line(digest))}<br>",
        escape(" · ".join(f"{s.category} ({s.count})" for s in digest.sections)) + "</p>",
    ]
    if digest.themes:
        lines.append(f"<p><b>{escape(t['themes'])}</b></p><ul>")
        lines.extend(f"<li>{escape(theme)}</li>" for theme in digest.themes)
        lines.append("</ul>")
    lines.extend(f"<p><i>{escape(note)}</i></p>" for note in digest.notes)
    lines.append(f"<p><i>{escape(VOTE_HINT)}</i></p>")
    return "\n".join(lines)


def paper_html(paper: DigestPaper, language: str) -> str:
    """One paper: one-liner, linked title, authors, category, score, summary fields, links."""
    t, s = labels(language), paper.summary
    tag = f" ({escape(t['replaced'])} v{paper.version})" if paper.is_replacement else ""
    meta = [trim_authors(paper.authors, t["et_al"]), paper.primary_category,
            f"{t['score']} {s.score}/100"]  # fmt: skip
    lines = [f"<p><i>{escape(lead_line(s))}</i></p>"] if lead_line(s) else []
    lines.append(f"<p><b>{paper.number}. {link(paper.title, paper.abs_url)}</b>{tag}<br>")
    lines.append(escape(" · ".join(m for m in meta if m)) + "</p>")
    rows = [f"<b>{escape(t[name])}:</b> {escape(getattr(s, name))}" for name in summary_fields(s)]
    if s.keywords:
        rows.append(f"<b>{escape(t['keywords'])}:</b> {escape(', '.join(s.keywords))}")
    if rows:
        lines.append("<p>" + "<br>\n".join(rows) + "</p>")
    links = [link("abs", paper.abs_url)] + ([link("PDF", paper.pdf_url)] if paper.pdf_url else [])
    lines.append(f"<p>{' · '.join(links)}</p>")
    return "\n".join(lines)


def link(text: str, url: str) -> str:
    """An escaped link; plain escaped text when the URL is not http(s)."""
    if not url.startswith(LINK_SCHEMES):
        return escape(text)
    return f'<a href="{href(url)}">{escape(text)}</a>'


RENDERERS = {
    posts.Reply: written, posts.Error: written, posts.Answer: written,
    posts.WeeklyBriefing: written, posts.FollowupPost: written,
    DigestHeader: digest_header, PaperPost: paper_post,
}  # fmt: skip
