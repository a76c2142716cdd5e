"""Key terms of papers' keywords for offline themes: near-duplicates merged, papers clustered.

A keyword's key is its tokens (lower-case, plural folded: "LLMs" and "llm" meet). Keys are
then merged across the set of papers: an acronym meets its expansion when the expansion's
initials spell it ("LLM" ↔ "large language models", "RAG" ↔ "retrieval-augmented
generation"), also inside longer keywords ("LLM agents" ↔ "large language model agents").
A merged key is shown in its most frequent spelling, the expansion first, with the acronym
after it when papers use both ("large language models (LLMs)").

`clusters` groups papers that share a key term when no whole keyword is shared: single
words and word pairs of their keywords ("segmentation", "protein design"), chosen greedily
so that each term gathers at least two papers not yet in a theme.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

Key = tuple[str, ...]
Tokens = Callable[[str], Sequence[str]]
# Words too general to name a theme on their own.
GENERIC = frozenset(
    {
        "model",
        "learning",
        "method",
        "approach",
        "data",
        "analysis",
        "system",
        "network",
        "framework",
        "study",
        "task",
        "performance",
        "deep",
        "neural",
        "based",
        "large",
        "new",
        "multi",
        "efficient",
        "algorithm",
        "application",
        "problem",
        "result",
        "evaluation",
        "dataset",
        "benchmark",
        "training",
        "tool",
        "technique",
        "structure",
        "process",
        "high",
        "low",
        "human",
        "novel",
        "effect",
        "level",
        "time",
        "function",
        "role",
    }
)


@dataclass
class Vocabulary:
    """Merged keys of a set of papers' keywords, with how each is spelled."""

    tokens: Tokens
    canonical: dict[Key, Key] = field(default_factory=dict)
    spellings: dict[Key, dict[str, int]] = field(default_factory=dict)  # key -> spelling -> n
    acronyms: dict[Key, dict[str, int]] = field(default_factory=dict)
    merged: dict[str, Key] = field(default_factory=dict)  # each keyword of the set -> its key

    def key(self, keyword: str) -> Key:
        """The merged key of one keyword (empty for a keyword with no words)."""
        found = self.merged.get(keyword)
        if found is not None:
            return found
        return self.canonical.get(tuple(self.tokens(keyword)), ())

    def shown(self, key: Key) -> str:
        """How to show a merged key: its commonest spelling, then its acronym if used."""
        spelling = _commonest(self.spellings.get(key)) or " ".join(key)
        acronym = _commonest(self.acronyms.get(key))
        return f"{spelling} ({acronym})" if acronym else spelling


def _commonest(counts: dict[str, int] | None) -> str:
    """The most frequent spelling, the first seen among equals ("" for none)."""
    return max(counts, key=counts.__getitem__) if counts else ""


def vocabulary(keyword_sets: Sequence[Sequence[str]], tokens: Tokens) -> Vocabulary:
    """The merged keys of every keyword in `keyword_sets` (one sequence per paper)."""
    vocab = Vocabulary(tokens)
    raw = {kw: tuple(tokens(kw)) for kws in keyword_sets for kw in kws}
    expansions = _expansions(raw.values())
    for keyword, key in raw.items():
        if not key:
            continue
        merged = _expand(key, expansions) if expansions else key
        vocab.canonical[key] = merged
        vocab.merged[keyword] = merged
        is_acronym = len(key) < len(merged) and len(key) == 1
        target = vocab.acronyms if is_acronym else vocab.spellings
        counts = target.setdefault(merged, {})
        counts[keyword] = counts.get(keyword, 0) + 1
    for merged, acronym in vocab.acronyms.items():
        if merged not in vocab.spellings:
            vocab.spellings[merged] = dict(acronym)
    return vocab


def _expansions(keys: Iterable[Key]) -> dict[str, Key]:
    """Acronym → expansion for every multi-word key whose initials form a word of the set."""
    keys = list(keys)
    singles = {k[0] for k in keys if len(k) == 1 and 2 <= len(k[0]) <= 6 and k[0].isalpha()}
    found: dict[str, Key] = {}
    for key in keys:
        if 2 <= len(key) <= 6:
            initials = "".join(word[0] for word in key)
            if initials in singles:
                found.setdefault(initials, key)
    return found


def _expand(key: Key, expansions: dict[str, Key]) -> Key:
    """The key with each acronym among its words replaced by its expansion."""
    out: list[str] = []
    for word in key:
        out.extend(expansions.get(word, (word,)))
    return tuple(out)


def term_candidates(keys: Sequence[Key]) -> set[Key]:
    """The key terms of one paper: its keys' non-generic words and adjacent word pairs."""
    terms: set[Key] = set()
    for key in keys:
        terms.update((w,) for w in key if w not in GENERIC and len(w) > 2)
        terms.update(pair for pair in itertools.pairwise(key) if len(key) > 2)
    return terms


def clusters(
    papers: Sequence[AbstractSet[Key]], covered: set[int], taken: Sequence[Key], limit: int
) -> list[tuple[Key, list[int]]]:
    """Up to `limit` (term, paper indices) clusters of at least two papers not yet covered."""
    found: list[tuple[Key, list[int]]] = []
    covered = set(covered)
    while len(found) < limit:
        counts: Counter[Key] = Counter()
        inside = [frozenset(k) for k in taken]
        for i, terms in enumerate(papers):
            if i not in covered:
                counts.update(t for t in terms if not any(k.issuperset(t) for k in inside))
        best = max(counts.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]), default=None)
        if best is None or best[1] < 2:
            break
        members = [i for i, terms in enumerate(papers) if best[0] in terms]
        found.append((best[0], members))
        covered.update(members)
        taken = [*taken, best[0]]
    return found
