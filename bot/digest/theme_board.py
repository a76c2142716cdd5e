"""Category themes asked for once: cached per (model, prompt version, language, category,
set of paper ids), with concurrent askers awaiting the one call under way.

A failed call (None) is remembered for `retry_after` seconds, so that a down LLM costs one
call per key and interval rather than one per channel.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from bot.digest.category_themes import CategoryPaper, Theme

Write = Callable[[str, Sequence[CategoryPaper], str], Awaitable[tuple[Theme, ...] | None]]
Key = tuple[str, str, str, frozenset[int]]  # (version, language, category, paper ids)
MAX_ENTRIES = 2_048
RETRY_AFTER = 300.0


class ThemeBoard:
    """Themes per (category, language, papers), each written by one call of `write`."""

    def __init__(
        self,
        write: Write,
        version: str,
        *,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._write = write
        self._version = version  # model and prompt version: a change asks again
        self._retry_after = retry_after
        self._clock = clock
        self._max = max_entries
        self._done: OrderedDict[Key, tuple[tuple[Theme, ...] | None, float]] = OrderedDict()
        self._running: dict[Key, asyncio.Future[tuple[Theme, ...] | None]] = {}

    def key(self, category: str, papers: Sequence[CategoryPaper], language: str) -> Key:
        """The cache key of a category's themes over these papers."""
        return (self._version, language, category, frozenset(p.paper_id for p in papers))

    async def themes(
        self, category: str, papers: Sequence[CategoryPaper], language: str
    ) -> tuple[Theme, ...] | None:
        """The category's themes: cached, awaited from a call under way, or written now."""
        key = self.key(category, papers, language)
        found = self._done.get(key)
        if found is not None:
            themes, at = found
            if themes is not None or self._clock() - at < self._retry_after:
                self._done.move_to_end(key)
                return themes
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(self._call(key, category, papers, language))
            self._running[key] = running
        return await asyncio.shield(running)

    async def _call(
        self, key: Key, category: str, papers: Sequence[CategoryPaper], language: str
    ) -> tuple[Theme, ...] | None:
        try:
            themes = await self._write(category, papers, language)
        finally:
            self._running.pop(key, None)
        self._done[key] = (themes, self._clock())
        self._done.move_to_end(key)
        while len(self._done) > self._max:
            self._done.popitem(last=False)
        return themes
