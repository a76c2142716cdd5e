"""Today's themes without an LLM: the keywords several of the digest's papers share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from bot.i18n import labels
from bot.query import tokenize
from bot.summary.types import Summary

MAX_THEMES = 4
MIN_PAPERS = 2


def keyword_themes(
    summaries: Sequence[Summary],
    language: str,
    tokens: Callable[[str], Sequence[str]] = tokenize,
) -> tuple[str, ...]:
    """Up to four "N papers on X" lines for keywords shared by at least two papers.

    `tokens` tokenizes a keyword (a memoized `tokenize` saves work across many digests).
    """
    counts: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], str] = {}
    for summary in summaries:
        seen = set()
        for keyword in summary.keywords:
            key = tuple(tokens(keyword))
            if key and key not in seen:
                seen.add(key)
                counts[key] += 1
                shown.setdefault(key, keyword)
    themes = []
    covered: set[tuple[str, ...]] = set()
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if n < MIN_PAPERS or len(themes) == MAX_THEMES:
            break
        if any(set(key) <= set(other) for other in covered):
            continue  # "agents" adds nothing next to "llm agents"
        covered.add(key)
        themes.append(labels(language)["theme"].format(count=n, topic=shown[key]))
    return tuple(themes)
