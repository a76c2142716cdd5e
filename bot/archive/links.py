"""Which paper links an archive page may make clickable: absolute https URLs only."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

UNSAFE_CHARS = re.compile(r"[\s\x00-\x1f\x7f\"'<>`\\]")


def safe_url(url: str | None) -> str | None:
    """The URL, with parentheses percent-encoded, if it is https with a host; else None."""
    if not url or UNSAFE_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname:
        return None
    return quote(url, safe=":/?#@!$&*+,;=%~[]")


def slug(text: str, taken: set[str]) -> str:
    """An HTML id for `text` (letters, digits, hyphens), unique within `taken` (updated)."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found
