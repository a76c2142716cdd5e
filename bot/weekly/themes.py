"""The week's themes without an LLM: keyword clusters, their counts and the change on last week.

A cluster is a keyword (tokenized, so "LLM agents" and "llm agent" meet, and merged with its
acronym or expansion, so "LLMs" and "large language models" meet; see
`bot.digest.theme_terms`) shared by at least two of the week's papers; a keyword inside a
larger cluster ("agents" in "llm agents") adds nothing. Each line reads
"retrieval-augmented generation: 5 (+2)", the change counting the same keyword among last
week's papers, and names the categories a cluster links when it spans more than one
("· cs.CL, cs.IR").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.digest.theme_terms import Vocabulary, vocabulary
from bot.i18n import labels
from bot.query import tokenize
from bot.summary.types import Summary

MAX_THEMES = 5
MIN_PAPERS = 2
Key = tuple[str, ...]


@dataclass(frozen=True)
class Tagged:
    """A paper's summary with its primary category."""

    summary: Summary
    category: str


def keyword_counts(
    papers: Sequence[Tagged], vocab: Vocabulary
) -> tuple[Counter[Key], dict[Key, str], dict[Key, set[str]]]:
    """Per merged keyword key: papers having it, how it is shown, and their categories."""
    counts: Counter[Key] = Counter()
    shown: dict[Key, str] = {}
    categories: dict[Key, set[str]] = {}
    for paper in papers:
        seen: set[Key] = set()
        for keyword in paper.summary.keywords:
            key = vocab.key(keyword)
            if key and key not in seen:
                seen.add(key)
                counts[key] += 1
                shown.setdefault(key, vocab.shown(key))
                categories.setdefault(key, set()).add(paper.category or "other")
    return counts, shown, categories


def weekly_keyword_themes(
    this_week: Sequence[Tagged],
    last_week: Sequence[Tagged],
    language: str,
    tokens: Callable[[str], Sequence[str]] = tokenize,
) -> tuple[str, ...]:
    """Up to five "keyword: count (±change)" lines for the week's shared keywords."""
    vocab = vocabulary([p.summary.keywords for p in [*this_week, *last_week]], tokens)
    counts, shown, categories = keyword_counts(this_week, vocab)
    before, _, _ = keyword_counts(last_week, vocab)
    template = labels(language)["weekly_theme"]
    themes: list[str] = []
    covered: list[set[str]] = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if n < MIN_PAPERS or len(themes) == MAX_THEMES:
            break
        if any(set(key) <= other for other in covered):
            continue
        covered.append(set(key))
        line = template.format(topic=shown[key], count=n, change=f"{n - before[key]:+d}")
        if len(categories[key]) > 1:
            line += " · " + ", ".join(sorted(categories[key]))
        themes.append(line)
    return tuple(themes)
