"""Splits topic query text into tokens; positions are 0-based character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.query.ast import KEYWORDS

FIELD_NAMES: tuple[str, ...] = (
    "cat",
    "author",
    "title",
    "abs",
    "source",
    "subject",
    "feed",
    "similar",
)
_FIELD_PREFIX_RE = re.compile(r"^([A-Za-z]+):")
_WORD_END = frozenset('()"')


class QuerySyntaxError(ValueError):
    """A topic query that cannot be parsed.

    `position` is always an int: the 0-based character offset into the query text where
    the problem was found. Problems with the query as a whole (`empty query`, a query made
    only of negations) are created with position None: they report `position` 0 and their
    str() has no "at N". `message` says what is wrong, `hint` optionally how to fix it.
    """

    def __init__(self, message: str, position: int | None = None, hint: str = "") -> None:
        self.message = message
        self.position: int = position or 0
        self.hint = hint
        where = "" if position is None else f" at {position}"
        extra = f" ({hint})" if hint else ""
        super().__init__(f"{message}{where}{extra}")


@dataclass(frozen=True)
class Token:
    """One lexical token.

    kind: "(", ")", "-", "AND", "OR", "NOT", "WORD", "PHRASE" or "FIELD".
    For FIELD, `field` is the lower-case field name and `text`/`quoted` describe its value.
    """

    kind: str
    pos: int
    text: str = ""
    field: str = ""
    quoted: bool = False


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The phrase starting at the quote `text[start]` and the offset just after it."""
    end = text.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError("unclosed quote", start)
    if not text[start + 1 : end].strip():
        raise QuerySyntaxError("empty phrase", start)
    return text[start + 1 : end], end + 1


def _read_word(text: str, start: int) -> tuple[str, int]:
    """The bare word starting at `start` and the offset just after it."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in _WORD_END:
        end += 1
    return text[start:end], end


def _read_field(text: str, start: int, name: str, after: int) -> tuple[Token, int]:
    """A `name:value` token whose value starts at `after`."""
    if after < len(text) and text[after] == '"':
        value, end = _read_quoted(text, after)
        return Token("FIELD", start, value, name, True), end
    value, end = _read_word(text, after)
    if not value:
        raise QuerySyntaxError(f"missing value after '{name}:'", start)
    return Token("FIELD", start, value, name, False), end


def _read_bare(text: str, start: int) -> tuple[Token, int]:
    """A keyword, a field:value or a plain word starting at `start`."""
    word, end = _read_word(text, start)
    if word in KEYWORDS:
        return Token(word, start, word), end
    prefix = _FIELD_PREFIX_RE.match(word)
    if prefix is None:
        return Token("WORD", start, word), end
    name = prefix.group(1).lower()
    if name not in FIELD_NAMES:
        known = ", ".join(FIELD_NAMES)
        raise QuerySyntaxError(f"unknown field '{prefix.group(0)}'", start, f"known: {known}")
    return _read_field(text, start, name, start + len(prefix.group(0)))


def _is_negation(text: str, pos: int) -> bool:
    """True if the '-' at `pos` negates what follows it rather than being a lone dash."""
    nxt = pos + 1
    return nxt < len(text) and not text[nxt].isspace() and text[nxt] != ")"


def tokenize_query(text: str) -> list[Token]:
    """The tokens of `text`, raising QuerySyntaxError for lexical errors."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "()":
            tokens.append(Token(ch, pos, ch))
            pos += 1
        elif ch == "-":
            if not _is_negation(text, pos):
                raise QuerySyntaxError("missing term after '-'", pos)
            tokens.append(Token("-", pos, ch))
            pos += 1
        elif ch == '"':
            phrase, pos_after = _read_quoted(text, pos)
            tokens.append(Token("PHRASE", pos, phrase, quoted=True))
            pos = pos_after
        else:
            token, pos = _read_bare(text, pos)
            tokens.append(token)
    return tokens
