"""Today's themes without an LLM: the key terms the digest's papers share.

First the keywords several papers share, near-duplicates merged (case, plural, acronym ↔
expansion; see `theme_terms`); then, for papers no such theme covers, clusters by a shared
key term of their keywords ("segmentation", "protein design"), so that a digest of ten
papers gets two to four named themes when they exist.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from bot.digest.theme_terms import Key, Vocabulary, clusters, term_candidates, vocabulary
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
    """Up to four "N papers on X" lines for key terms shared by at least two papers.

    `tokens` tokenizes a keyword (a memoized `tokenize` saves work across many digests).
    """
    vocab = vocabulary([s.keywords for s in summaries], tokens)
    papers = [{k for k in map(vocab.key, s.keywords) if k} for s in summaries]
    template = labels(language)["theme"]
    chosen = shared_keywords(papers)
    covered = {i for key in chosen for i, keys in enumerate(papers) if key in keys}
    themes = [(len([p for p in papers if key in p]), vocab.shown(key)) for key in chosen]
    terms = [_candidates(tuple(sorted(keys))) for keys in papers]
    for term, members in clusters(terms, covered, chosen, MAX_THEMES - len(themes)):
        themes.append((len(members), spelled(term, summaries, vocab)))
    return tuple(template.format(count=n, topic=topic) for n, topic in themes)


class ThemeMemo:
    """Keyword themes for the digests of one delivery run: each keyword tokenized once, and
    the themes of one list of papers' keywords worked out once (channels that follow the
    same topics often get the same digest). At most `limit` lists are kept, those used least
    recently dropped first."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._themes: OrderedDict[tuple[str, tuple[tuple[str, ...], ...]], tuple[str, ...]]
        self._themes = OrderedDict()
        self.tokens: Callable[[str], Sequence[str]] = cache(_token_tuple)

    def themes(self, summaries: Sequence[Summary], language: str) -> tuple[str, ...]:
        """`keyword_themes` of these summaries (they depend on the keywords alone)."""
        key = (language, tuple(s.keywords for s in summaries))
        found = self._themes.get(key)
        if found is None:
            found = self._themes[key] = keyword_themes(summaries, language, self.tokens)
            if len(self._themes) > self._limit:
                self._themes.popitem(last=False)
        else:
            self._themes.move_to_end(key)
        return found


def _token_tuple(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


@lru_cache(maxsize=65_536)  # a paper's keys recur in every digest that shows it
def _candidates(keys: tuple[Key, ...]) -> frozenset[Key]:
    return frozenset(term_candidates(keys))


def shared_keywords(papers: Sequence[set[Key]]) -> list[Key]:
    """Merged keywords at least two papers share, commonest first, none inside another."""
    counts: Counter[Key] = Counter(key for keys in papers for key in keys)
    chosen: list[Key] = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if n < MIN_PAPERS or len(chosen) == MAX_THEMES:
            break
        if any(set(key) <= set(other) for other in chosen):
            continue  # "agents" adds nothing next to "llm agents"
        chosen.append(key)
    return chosen


def spelled(term: Key, summaries: Sequence[Summary], vocab: Vocabulary) -> str:
    """A key term as the papers spell it: the commonest run of keyword words with its tokens."""
    seen: Counter[str] = Counter()
    wanted = frozenset(term)
    for summary in summaries:
        for keyword in summary.keywords:
            if not wanted.issubset(vocab.tokens(keyword)):
                continue  # a run's tokens are among its keyword's: none can spell the term
            words = keyword.split()
            for i in range(len(words) - len(term) + 1):
                run = " ".join(words[i : i + len(term)])
                if tuple(vocab.tokens(run)) == term:
                    seen[run] += 1
    return seen.most_common(1)[0][0] if seen else " ".join(term)
