"""The core's posts → e-mail messages (pure): one multipart mail per digest, plain and HTML.

A digest header carries the whole digest, so its mail holds every paper, grouped by category
with counts as the archive page shows them; the paper posts that follow add nothing to send.
Other posts (a follow-up, the weekly briefing) are short mails, threaded under the digest they
follow up. Every piece of paper text is escaped in the HTML part, and only https links become
links. Headers carry no line breaks from paper text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from bot.archive.html import anchor, text
from bot.digest.model import Digest, DigestPaper
from bot.digest.render import (
    header_markdown,
    lead_line,
    paper_markdown,
    summary_fields,
    summary_line,
    trim_authors,
)
from bot.i18n import labels
from bot.posts import DigestHeader, Post

MAX_SUBJECT = 180
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|~])")


@dataclass(frozen=True)
class Envelope:
    """Who a mail is from and to, its stable Message-ID, and the links every mail carries."""

    sender: str
    to: str
    message_id: str
    unsubscribe: str
    sent_at: datetime
    reply_to: str = ""
    in_reply_to: str = ""
    ask: Callable[[str], str] | None = None  # paper key → its "Ask about this paper" URL


def one_line(value: str, limit: int = MAX_SUBJECT) -> str:
    """Text safe in a header: no line breaks, at most `limit` characters."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def digest_mail(digest: Digest, envelope: Envelope) -> EmailMessage:
    """The digest as one mail: a plain-text part and an HTML part with the same content."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    mail = _headers(envelope, f"{title}: {summary_line(digest)}")
    mail.set_content(digest_text(digest, envelope))
    mail.add_alternative(digest_html(digest, envelope), subtype="html")
    return mail


def note_mail(post: Post, subject: str, envelope: Envelope) -> EmailMessage:
    """A short mail holding a post's Markdown as text (a follow-up, a briefing, a note)."""
    mail = _headers(envelope, subject)
    footer = f"\n\n--\nUnsubscribe: {envelope.unsubscribe}\n"
    mail.set_content(plain_text(post.text) + footer)
    return mail


def quiet_mail(post: DigestHeader, envelope: Envelope) -> EmailMessage:
    """A day with nothing new: the core's note as a one-line mail."""
    return note_mail(post, one_line(post.text), envelope)


def plain_text(markdown: str) -> str:
    """The core's neutral Markdown as plain text: links as "text <url>", no markers or escapes."""
    linked = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", markdown)
    return _ESCAPED.sub(r"\1", linked.replace("**", ""))


def digest_text(digest: Digest, envelope: Envelope) -> str:
    """The plain-text part: the header, then each paper with its links."""
    parts = [plain_text(header_markdown(digest))]
    for paper in digest.papers:
        lines = [plain_text(paper_markdown(paper, digest.language))]
        if envelope.ask is not None:
            lines.append(f"Ask about this paper: {envelope.ask(paper.key)}")
        parts.append("\n".join(lines))
    parts.append(f"--\nUnsubscribe: {envelope.unsubscribe}")
    return "\n\n".join(parts) + "\n"


def digest_html(digest: Digest, envelope: Envelope) -> str:
    """The HTML part: header, sections by category with counts, one block per paper."""
    t = labels(digest.language)
    title = t["digest_title"].format(date=digest.digest_date.isoformat())
    body = [f"<h1>{text(title)}</h1>", f"<p>{text(summary_line(digest))}</p>"]
    if digest.themes:
        body.append(f"<h2>{text(t['themes'])}</h2><ul>")
        body += [f"<li>{text(theme)}</li>" for theme in digest.themes]
        body.append("</ul>")
    body += [f"<p><i>{text(note)}</i></p>" for note in digest.notes]
    for section in digest.sections:
        body.append(f"<h2>{text(section.category)} ({section.count})</h2>")
        for paper in section.papers:
            body += paper_html(paper, digest.language, envelope)
    unsubscribe = anchor("Unsubscribe", envelope.unsubscribe)
    body.append(f'<hr><p style="color:#666;font-size:small">{unsubscribe}</p>')
    return _document(title, body, digest.language)


def paper_html(paper: DigestPaper, language: str, envelope: Envelope) -> list[str]:
    """One paper: one-liner, numbered linked title, meta, summary fields, reason, links."""
    t, s = labels(language), paper.summary
    lines = [f"<h3>{paper.number}. {anchor(text(paper.title), paper.abs_url)}</h3>"]
    if lead_line(s):
        lines.insert(0, f"<p><i>{text(lead_line(s))}</i></p>")
    meta = [trim_authors(paper.authors, t["et_al"]), paper.primary_category,
            f"{t['score']} {s.score}/100"]  # fmt: skip
    lines.append(f'<p style="color:#666">{text(" · ".join(m for m in meta if m))}</p>')
    rows = [
        f"<p><b>{text(t[name])}:</b> {text(getattr(s, name))}</p>" for name in summary_fields(s)
    ]
    if s.keywords:
        rows.append(f"<p><b>{text(t['keywords'])}:</b> {text(', '.join(s.keywords))}</p>")
    if paper.reason:
        rows.append(f"<p><b>Why:</b> {text(paper.reason.replace('*', ''))}</p>")
    links = [anchor("abstract", paper.abs_url)]
    links += [anchor("PDF", paper.pdf_url)] if paper.pdf_url else []
    links += [anchor("Ask about this paper", envelope.ask(paper.key))] if envelope.ask else []
    return [*lines, *rows, f"<p>{' · '.join(links)}</p>"]


def _document(title: str, body: list[str], language: str) -> str:
    head = f'<!DOCTYPE html>\n<html lang="{text(language)}"><head><meta charset="utf-8">'
    return "\n".join([head, f"<title>{text(title)}</title></head><body>", *body, "</body></html>"])


def _headers(envelope: Envelope, subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = envelope.sender
    mail["To"] = envelope.to
    mail["Subject"] = one_line(subject)
    mail["Date"] = format_datetime(envelope.sent_at)
    mail["Message-ID"] = envelope.message_id
    if envelope.in_reply_to:
        mail["In-Reply-To"] = envelope.in_reply_to
        mail["References"] = envelope.in_reply_to
    if envelope.reply_to:
        mail["Reply-To"] = envelope.reply_to
    mail["List-Unsubscribe"] = f"<{envelope.unsubscribe}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail["Precedence"] = "bulk"
    return mail
