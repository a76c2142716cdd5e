"""Fencing untrusted paper text inside a prompt: it may not open or close our tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

ELLIPSIS = "…"


def fence_safe(text: str, tags: Iterable[str]) -> str:
    """`text` without any opening or closing tag named in `tags` (any case, even unclosed)."""
    names = "|".join(re.escape(tag) for tag in tags)
    pattern = re.compile(rf"<\s*/?\s*(?:{names})\b(?:[^<>]*>)?", re.IGNORECASE)
    return pattern.sub(" ", text).strip()


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + ELLIPSIS
