"""Canonical forms of filter values: arXiv categories, preprint subjects, sources, feed URLs."""

from __future__ import annotations

import re

SOURCES: tuple[str, ...] = ("arxiv", "biorxiv", "medrxiv", "journal")
PREPRINT_SERVERS: tuple[str, ...] = ("biorxiv", "medrxiv")

_CATEGORY_RE = re.compile(r"^[A-Za-z][A-Za-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
_SUBJECT_SEP_RE = re.compile(r"[\s_\-]+")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_category(value: str) -> bool:
    """True if `value` looks like an arXiv category (`cs.CL`) or archive (`cs`, `q-bio`)."""
    return bool(_CATEGORY_RE.match(value))


def canonical_category(value: str) -> str:
    """arXiv's spelling: lower-case archive, two-letter subject classes upper-case.

    `cs.cl` -> `cs.CL`, `COND-MAT.MES-HALL` -> `cond-mat.mes-hall`, `Q-BIO` -> `q-bio`.
    """
    archive, _, sub = value.partition(".")
    if not sub:
        return archive.lower()
    sub = sub.upper() if len(sub) <= 2 else sub.lower()
    return f"{archive.lower()}.{sub}"


def category_key(value: str) -> str:
    """The case-insensitive matching key of a category."""
    return value.strip().lower()


def archive_of(category: str) -> str:
    """The archive part of a category key (`cs.cl` -> `cs`, `hep-th` -> `hep-th`)."""
    return category.partition(".")[0]


def subject_key(value: str) -> str:
    """bioRxiv/medRxiv subject key: lower-case, runs of spaces/underscores/hyphens -> one space."""
    return _SUBJECT_SEP_RE.sub(" ", value.strip().lower()).strip()


def feed_url(value: str) -> str:
    """A feed URL as the caller should fetch it: `https://` is added when no scheme is given."""
    value = value.strip()
    return value if _SCHEME_RE.match(value) else f"https://{value}"


def feed_key(value: str) -> str:
    """Feed matching key: no scheme, lower-case host without `www.`, no trailing slash."""
    rest = _SCHEME_RE.sub("", value.strip())
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}{slash}{path}".rstrip("/")


def is_feed_url(value: str) -> bool:
    """True if `value` plausibly names a feed URL (a dotted host, no spaces)."""
    host = _SCHEME_RE.sub("", value.strip()).partition("/")[0]
    return "." in host and not any(ch.isspace() for ch in value.strip())
