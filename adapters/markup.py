"""The core's neutral Markdown → the HTML subset chat platforms take (Telegram, Matrix's
`formatted_body`): pure, and everything not markup is escaped.

Understood: `**bold**`, `_italic_` (at word boundaries), `` `code` ``, ```` ``` ```` fences,
`[text](http…)` links, `> quoted` lines (a blockquote) and backslash escapes. Anything
else — including `<`, `&` and unknown or malformed markup — comes out as literal, escaped
text, so the output is always balanced.
Telegram lets no entity contain code or pre, so code inside bold, italic or a link is plain
(Matrix clients take the same).
"""

from __future__ import annotations

import html
import string

ESCAPABLE = frozenset(string.punctuation)
LINK_SCHEMES = ("http://", "https://")


def escape(text: str) -> str:
    """Text made inert in HTML."""
    return html.escape(text, quote=False)


def href(url: str) -> str:
    """A URL as a safe, quoted attribute value."""
    return html.escape(url, quote=True)


def markdown_to_html(text: str) -> str:
    """Convert neutral Markdown to balanced HTML; runs of `> ` lines become quotes."""
    blocks: list[tuple[bool, list[str]]] = []
    for line in text.split("\n"):
        quoted = line.startswith("> ") or line == ">"
        if not blocks or blocks[-1][0] != quoted:
            blocks.append((quoted, []))
        blocks[-1][1].append(line[2:] if quoted else line)
    if "```" in text or not any(quoted for quoted, _lines in blocks):
        return inline_html(text)
    return "\n".join(
        f"<blockquote>{inline_html(chr(10).join(lines), nested=True)}</blockquote>"
        if quoted
        else inline_html("\n".join(lines))
        for quoted, lines in blocks
    )


def inline_html(text: str, *, links: bool = True, nested: bool = False) -> str:
    """Convert neutral Markdown to balanced HTML (`nested`: inside another entity)."""
    out: list[str] = []
    bold = False
    i = 0
    while i < len(text):
        if text.startswith("**", i):
            out.append("</b>" if bold else "<b>")
            bold, i = not bold, i + 2
            continue
        piece, i = _span(text, i, links, nested or bold)
        out.append(piece)
    if bold:
        out.append("</b>")
    return "".join(out)


def _span(text: str, i: int, links: bool, nested: bool) -> tuple[str, int]:
    """The HTML for the construct starting at `i`, and where the next one starts."""
    char = text[i]
    if char == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
        return escape(text[i + 1]), i + 2
    if text.startswith("```", i):
        return _fence(text, i, nested)
    if char == "`":
        end = text.find("`", i + 1)
        if end > i + 1:
            code = escape(text[i + 1 : end])
            return (code if nested else f"<code>{code}</code>"), end + 1
    if char == "_":
        return _italic(text, i, links)
    if char == "[" and links:
        return _link(text, i)
    return escape(char), i + 1


def _fence(text: str, i: int, nested: bool) -> tuple[str, int]:
    end = text.find("```", i + 3)
    if end < 0:
        return escape("```"), i + 3
    body = text[i + 3 : end]
    first, newline, rest = body.partition("\n")
    if newline and first.strip() and " " not in first.strip():
        body = rest  # a language tag
    code = escape(body.strip("\n"))
    return (code if nested else f"<pre>{code}</pre>"), end + 3


def _italic(text: str, i: int, links: bool) -> tuple[str, int]:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() or after.isspace():
        return escape("_"), i + 1
    end = i + 1
    while end < len(text) and text[end] != "\n":
        if text[end] == "\\":
            end += 2
            continue
        closes = text[end] == "_" and end > i + 1 and not text[end - 1].isspace()
        if closes and (end + 1 == len(text) or not text[end + 1].isalnum()):
            inner = inline_html(text[i + 1 : end], links=links, nested=True)
            return f"<i>{inner}</i>", end + 1
        end += 1
    return escape("_"), i + 1


def _link(text: str, i: int) -> tuple[str, int]:
    close = i + 1
    while close < len(text) and text[close] not in "]\n":
        close += 2 if text[close] == "\\" else 1
    if close >= len(text) or text[close] != "]" or not text.startswith("(", close + 1):
        return escape("["), i + 1
    end = text.find(")", close + 2)
    url = text[close + 2 : end] if end > 0 else ""
    if not url.startswith(LINK_SCHEMES) or any(c.isspace() for c in url):
        return escape("["), i + 1
    label = inline_html(text[i + 1 : close], links=False, nested=True) or escape(url)
    return f'<a href="{href(url)}">{label}</a>', end + 1
