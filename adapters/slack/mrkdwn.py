"""Slack mrkdwn text: escaping untrusted text, links, and neutral Markdown → mrkdwn (pure).

Slack has no backslash escapes. `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;`, which is
enough to stop pings (`<!channel>`, `<@U…>`, `<#C…>`) and injected links (`<url|text>`).
The emphasis characters `*`, `_`, `~` and `` ` `` cannot be escaped, so in untrusted text each
is fenced by ZERO WIDTH SPACEs (U+200B): with a zero-width neighbour on both sides the
character can neither open nor close bold/italic/strike/code, whether Slack treats U+200B as
a space or as a letter, and it still reads as the same character. Every text object we build
is `verbatim`, so Slack does not auto-link bare URLs or channel names in paper text either.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
FORMATTING = re.compile(r"([*_~`])")
SAFE_URL = re.compile(r"^(?:https?://|mailto:)[^\s<>|]+$")
MARKDOWN_TOKEN = re.compile(
    r"\\(?P<esc>[\\`*_\[\]<>#|~])"
    r"|`(?P<code>[^`\n]+)`"
    r"|\[(?P<label>(?:\\.|[^\]\\\n])+)\]\((?P<url>[^)\s]+)\)"
    r"|(?P<bold>\*\*)"
    r"|(?P<entity>[&<>])"
    r"|(?P<bullet>^- )",
    re.MULTILINE,
)


def escape_entities(text: str) -> str:
    """`&`, `<`, `>` as the entities Slack decodes (nothing else is touched)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Untrusted text (titles, abstracts, themes) made inert in mrkdwn; see the module doc."""
    return FORMATTING.sub(ZWSP + r"\1" + ZWSP, escape_entities(text))


def link(url: str, label: str) -> str:
    """`<url|label>` for an http(s)/mailto URL (label already mrkdwn); the bare label otherwise."""
    return f"<{url}|{label}>" if SAFE_URL.match(url) else label


def from_markdown(text: str) -> str:
    """The core's neutral Markdown as mrkdwn: **b** → *b*, [t](u) → <u|t>, escapes undone."""
    return MARKDOWN_TOKEN.sub(_convert, text)


def _convert(match: re.Match[str]) -> str:
    if match["esc"] is not None:
        return escape(match["esc"])
    if match["code"] is not None:
        return f"`{escape_entities(match['code'])}`"
    if match["label"] is not None:
        return link(match["url"], from_markdown(match["label"]))
    if match["bold"] is not None:
        return "*"
    if match["entity"] is not None:
        return escape_entities(match["entity"])
    return "• "


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends or spaces, never in an entity."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n", " "):
        at = window.rfind(separator)
        if at > limit // 2:
            return at
    amp = text.rfind("&", max(0, limit - 5), limit)
    if amp != -1 and ";" not in text[amp:limit]:
        return amp
    return limit
