"""Discord Markdown: escaping outside text, and splitting long text under the 2,000 limit (pure).

The core's neutral Markdown (`**bold**`, `_italic_`, `` `code` ``, fences, `[text](url)`,
`> quotes`) is Discord Markdown already, so the core's own text passes as it is. Text from
outside (titles, abstracts, author names) is escaped: every character Discord reads as markup
gets a backslash (heading, quote and list markers only at a line's start), so it can neither
format, link nor form a mention.
"""

from __future__ import annotations

import re

INLINE = re.compile(r"([\\*_~`|\[\]<])")  # markup wherever it stands (and a mention's "<")
LINE_START = re.compile(r"^(\s*\d*)([#>\-+]|(?<=\d)\.)", re.MULTILINE)  # headings, quotes, lists
FENCE = "```"


def escape(text: str) -> str:
    """Text made inert in Discord Markdown (and unable to form a mention or a link)."""
    return LINE_START.sub(r"\1\\\2", INLINE.sub(r"\\\1", text))


def clip(text: str, limit: int) -> str:
    """The text cut to `limit` characters, with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]  # never leave half of an escape
    return cut + "…"


def split_text(text: str, limit: int = 2000) -> list[str]:
    """The text in pieces of at most `limit` characters, cut at line ends where it can; a
    code fence open at a cut is closed there and reopened in the next piece."""
    pieces: list[str] = []
    current = ""
    in_fence = False
    for line in _lines(text, limit - len(FENCE) * 2 - 2):
        extra = len(line) + (1 if current else 0)
        if current and len(current) + extra + (len(FENCE) + 1 if in_fence else 0) > limit:
            pieces.append(current + ("\n" + FENCE if in_fence else ""))
            current = FENCE if in_fence else ""
        current = f"{current}\n{line}" if current else line
        if line.strip().startswith(FENCE):
            in_fence = not in_fence
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _lines(text: str, width: int) -> list[str]:
    """The text's lines, a line longer than `width` cut (at a space when there is one)."""
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > width // 2 else width
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    return out
