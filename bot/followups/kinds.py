"""The kinds of follow-up, and which ones a channel has switched off (`followups off …`)."""

from __future__ import annotations

SWITCHABLE = ("version", "code", "published")  # what `followups on|off` may name
ALWAYS = "withdrawn"  # withdrawals and retractions are always said
KINDS = (*SWITCHABLE, ALWAYS)


def kinds_off(disabled: str) -> tuple[str, ...]:
    """The kinds a channel's `followups_off` field lists (comma-separated), in order."""
    return tuple(kind for kind in (k.strip() for k in disabled.split(",")) if kind)


def switched_on(disabled: str) -> tuple[str, ...]:
    """The kinds a channel gets, from its `followups_off` list (withdrawals always)."""
    off = set(kinds_off(disabled))
    return tuple(kind for kind in KINDS if kind == ALWAYS or kind not in off)
