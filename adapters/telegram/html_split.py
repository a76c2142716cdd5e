"""Splitting Telegram HTML into messages of at most 4,096 characters after entity parsing.

Telegram counts a message's length after parsing: tags count nothing, `&lt;` counts one. We
count UTF-16 code units (what Telegram's entity offsets use; never fewer than characters), so a
part that passes here passes there. Cuts fall between tokens, never inside a tag or an entity:
at a paragraph break if one fits, else a line break, a sentence end, a space, or anywhere. Tags
open at a cut are closed at the end of the part and reopened at the start of the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

MAX_MESSAGE = 4096
TOKEN_RE = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]", re.DOTALL)
TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
CUT_PREFERENCES = ("\n\n", "\n", ". ", "! ", "? ", " ")


@dataclass(frozen=True)
class Token:
    """A tag, an entity or one character, with the length Telegram counts for it."""

    text: str
    size: int
    kind: str  # "open" | "close" | "text"

    @property
    def tag(self) -> str:
        """The tag's name (for open/close tokens)."""
        match = TAG_NAME_RE.match(self.text)
        return match[1].lower() if match else ""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (astral characters count two)."""
    return len(text.encode("utf-16-le")) // 2


def tokenize(html: str) -> list[Token]:
    """The HTML as tags, entities and characters."""
    tokens = []
    for match in TOKEN_RE.finditer(html):
        text = match[0]
        if text.startswith("</"):
            tokens.append(Token(text, 0, "close"))
        elif text.startswith("<"):
            tokens.append(Token(text, 0, "open"))
        else:
            tokens.append(Token(text, 1 if text.startswith("&") else utf16_len(text), "text"))
    return tokens


def visible_length(html: str) -> int:
    """What Telegram counts for this HTML."""
    return sum(t.size for t in tokenize(html))


def split_html(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Balanced HTML parts, each at most `limit` counted characters; blank parts dropped."""
    tokens = tokenize(html)
    parts: list[str] = []
    stack: list[Token] = []
    start = 0
    while start < len(tokens):
        end = _cut(tokens, start, limit)
        prefix = "".join(t.text for t in stack)
        body, stack = _body(tokens[start:end], stack)
        suffix = "".join(f"</{t.tag}>" for t in reversed(stack))
        if any(t.kind == "text" and t.text.strip() for t in tokens[start:end]):
            parts.append(prefix + body + suffix)
        start = end
    return parts


def _body(tokens: list[Token], stack: list[Token]) -> tuple[str, list[Token]]:
    stack = list(stack)
    for token in tokens:
        if token.kind == "open":
            stack.append(token)
        elif token.kind == "close" and stack:
            stack.pop()
    return "".join(t.text for t in tokens), stack


def _cut(tokens: list[Token], start: int, limit: int) -> int:
    """The end index of the part starting at `start`: the best boundary that fits."""
    size, end = 0, start
    while end < len(tokens) and size + tokens[end].size <= limit:
        size += tokens[end].size
        end += 1
    if end == len(tokens):
        return end
    return _settle(tokens, start, _boundary(tokens, start, end))


def _boundary(tokens: list[Token], start: int, end: int) -> int:
    """The preferred cut in tokens[start:end]: paragraph, line, sentence, space, or `end`."""
    text = "".join(t.text if t.kind == "text" else "\0" for t in tokens[start:end])
    offsets = _token_offsets(tokens[start:end])
    for mark in CUT_PREFERENCES:
        at = text.rfind(mark)
        if at > len(text) // 3 or (mark == " " and at > 0):
            return start + offsets[at + len(mark)]
    return end


def _token_offsets(tokens: list[Token]) -> dict[int, int]:
    """Character offset in the joined text → index of the token that starts there."""
    offsets, position = {}, 0
    for index, token in enumerate(tokens):
        offsets[position] = index
        position += len(token.text) if token.kind == "text" else 1
    offsets[position] = len(tokens)
    return offsets


def _settle(tokens: list[Token], start: int, end: int) -> int:
    """Move a cut so tags just opened go to the next part and tags just closed stay here."""
    while end > start + 1 and tokens[end - 1].kind == "open":
        end -= 1
    while end < len(tokens) and tokens[end].kind == "close":
        end += 1
    return max(end, start + 1)


def visible_text(html: str) -> str:
    """The text Telegram shows for this HTML: tags dropped, entities decoded."""
    return "".join(unescape(t.text) for t in tokenize(html) if t.kind == "text")
