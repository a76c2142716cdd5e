"""A bounded memory of recently seen keys (event ids, message refs, request signatures)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


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
