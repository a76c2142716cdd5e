"""Button callback data: `<action>:<paper key>`, or a short hashed form when that passes 64 bytes.

Telegram limits `callback_data` to 64 bytes. arXiv and DOI keys fit; `url:` keys of journal
papers may not. Those get `<action>:~<16 hex of sha256(key)>`, and the sender remembers the
token → key mapping for the buttons it posts (in memory, bounded): after a restart such old
buttons answer "expired" and the paper can still be voted on with `/like <id>`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

MAX_CALLBACK_BYTES = 64
TOKEN_PREFIX = "~"


def callback_token(value: str) -> str:
    """The short, stable stand-in for a value too long for callback data."""
    return TOKEN_PREFIX + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def callback_data(action: str, value: str) -> str:
    """The callback data for a button: the value itself when it fits, else its token."""
    data = f"{action}:{value}"
    if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES and not value.startswith(TOKEN_PREFIX):
        return data
    return f"{action}:{callback_token(value)}"


def is_token(value: str) -> bool:
    """True when a callback value is a hashed stand-in that needs resolving."""
    return value.startswith(TOKEN_PREFIX)


class TokenTable:
    """Remembers token → value for the buttons posted (the newest `capacity` of them)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._values: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def remember(self, value: str) -> None:
        """Record a value whose buttons needed a token."""
        token = callback_token(value)
        self._values[token] = value
        self._values.move_to_end(token)
        while len(self._values) > self._capacity:
            self._values.popitem(last=False)

    def resolve(self, token: str) -> str | None:
        """The value behind a token, or None when it is unknown (e.g. posted before a restart)."""
        return self._values.get(token)
