"""Seen keys (event ids, message refs, request signatures): shared by replicas, or in memory.

`SeenKeys` is what the adapter needs; `bot.store.keys.RequestKeys` keeps them in the database
so that every replica sees them, `MemoryKeys` only in this process (tests, no database).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import timedelta
from typing import Protocol


class RecentKeys:
    """Remembers the last `size` keys; `seen(key)` says whether a key came before."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def seen(self, key: Hashable) -> bool:
        """True if the key was seen already; otherwise remember it and return False."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return False

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys


class SeenKeys(Protocol):
    """Says whether a key was seen before, by this process or (in the store) any replica."""

    async def first(self, scope: str, key: str, ttl: timedelta) -> bool:
        """True the first time (scope, key) is seen within `ttl`; False after that."""
        ...


class MemoryKeys:
    """`SeenKeys` in this process only (the last `size` keys, whatever their ttl)."""

    def __init__(self, size: int = 10_000) -> None:
        self._recent = RecentKeys(size)

    async def first(self, scope: str, key: str, ttl: timedelta) -> bool:
        """True the first time (scope, key) is seen."""
        return not self._recent.seen((scope, key))
