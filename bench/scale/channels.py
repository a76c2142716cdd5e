"""Synthetic channels: three topic queries each, a realistic mix of query kinds."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass

from bench.scale.synth import CATEGORIES, Day

_STOP_WORDS = (
    "with from that this their these using based towards revisiting scaling under over into "
    "through between via without against about which where while when than also"
)
STOP = frozenset(_STOP_WORDS.split())
WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]{4,}")
SUBJECTS = ("neuroscience", "bioinformatics", "genetics", "immunology", "microbiology",
            "evolutionary biology", "systems biology")  # fmt: skip
# (kind, weight): how people write topics.
KINDS = (("category", 18), ("category_keyword", 22), ("keywords_or", 14), ("phrase", 14),
         ("category_phrase", 8), ("author", 6), ("exclusion", 10), ("subject", 5),
         ("title_word", 3))  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """What topics are written from: categories, title words and phrases, authors."""

    categories: tuple[tuple[str, int], ...]
    words: tuple[str, ...]
    phrases: tuple[str, ...]
    authors: tuple[str, ...]


@dataclass(frozen=True)
class ChannelSpec:
    """One synthetic channel."""

    name: str
    language: str
    replacements: bool
    topics: tuple[str, ...]


def vocabulary(day: Day) -> Vocabulary:
    """The day's common title words and two-word title phrases, and its authors."""
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    for paper in (*day.arxiv, *day.biorxiv):
        tokens = [w.lower() for w in WORD_RE.findall(paper.title)]
        words.update(t for t in tokens if t not in STOP)
        phrases.update(f"{a} {b}" for a, b in itertools.pairwise(tokens) if not {a, b} & STOP)
    cats = tuple(pair for family in CATEGORIES.values() for pair in family)
    surnames = {a.split()[-1] for p in day.arxiv for a in p.authors if a.split()}
    authors = sorted(s for s in surnames if s.isalpha() and len(s) > 3)
    return Vocabulary(
        cats,
        tuple(w for w, _ in words.most_common(400)),
        tuple(p for p, n in phrases.most_common(300) if n > 1),
        tuple(authors),
    )


def _topic(rng: random.Random, vocab: Vocabulary) -> str:
    """One topic query of a randomly chosen kind."""
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    cat = rng.choices([c for c, _ in vocab.categories], [w for _, w in vocab.categories])[0]
    word, other = rng.choice(vocab.words), rng.choice(vocab.words)
    phrase = rng.choice(vocab.phrases) if vocab.phrases else word
    return {
        "category": f"cat:{cat}",
        "category_keyword": f"cat:{cat} {word}",
        "keywords_or": f"{word} OR {other}",
        "phrase": f'"{phrase}"',
        "category_phrase": f'cat:{cat.split(".")[0]} "{phrase}"',
        "author": f'author:"{rng.choice(vocab.authors)}"',
        "exclusion": f"cat:{cat} -{word} -survey",
        "subject": f'subject:"{rng.choice(SUBJECTS)}" {rng.choice(("", word))}'.strip(),
        "title_word": f"title:{word}",
    }[kind]


def make_channels(day: Day, count: int, seed: int = 10_000) -> list[ChannelSpec]:
    """`count` channels with three topics each (en 80 % / zh 20 %, 10 % want replacements)."""
    rng = random.Random(seed)
    vocab = vocabulary(day)
    return [
        ChannelSpec(
            f"c{n}",
            "zh" if rng.random() < 0.2 else "en",
            rng.random() < 0.1,
            tuple(_topic(rng, vocab) for _ in range(3)),
        )
        for n in range(count)
    ]
