"""A synthetic heavy day: real abstracts re-identified with new ids, categories and authors."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from bench.scale.pool import Pool, Text

# arXiv primary categories by share of a day's new submissions, per field family.
CATEGORIES: dict[str, tuple[tuple[str, int], ...]] = {
    "cs": (("cs.LG", 16), ("cs.CV", 14), ("cs.CL", 11), ("cs.AI", 7), ("cs.RO", 4),
           ("cs.CR", 3), ("cs.IT", 2), ("eess.IV", 3), ("eess.SP", 3), ("stat.ML", 3),
           ("cs.HC", 2), ("cs.SE", 2), ("cs.DC", 2), ("cs.NE", 1), ("math.OC", 2)),
    "physics": (("quant-ph", 9), ("cond-mat.mes-hall", 3), ("cond-mat.str-el", 3),
                ("hep-th", 4), ("hep-ph", 4), ("astro-ph.GA", 3), ("astro-ph.CO", 3),
                ("gr-qc", 3), ("math-ph", 2), ("physics.optics", 3), ("physics.comp-ph", 2),
                ("math.PR", 2), ("math.AP", 2)),
}  # fmt: skip
CROSS_LISTS: dict[str, tuple[str, ...]] = {
    "cs": ("cs.LG", "cs.AI", "stat.ML", "cs.CV", "cs.CL", "eess.IV", "math.OC", "cs.IT"),
    "physics": ("quant-ph", "cond-mat.stat-mech", "math-ph", "physics.comp-ph", "cs.LG",
                "hep-th", "physics.optics"),
}  # fmt: skip
FAMILY_SHARE = (("cs", 0.62), ("physics", 0.38))
REPLACED_SHARE = 0.25
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class SynthPaper:
    """One re-identified paper of the day."""

    ident: str  # arXiv id (2512.NNNNN) or bioRxiv DOI suffix
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # primary first (a bioRxiv subject for bioRxiv)
    base: int  # index of the pool text it was made from


@dataclass(frozen=True)
class Day:
    """The day's arXiv and bioRxiv papers."""

    arxiv: tuple[SynthPaper, ...]
    biorxiv: tuple[SynthPaper, ...]


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in pairs], [w for _, w in pairs])[0]


def _abstract(rng: random.Random, base: Text, other: Text) -> str:
    """The base abstract's sentences, lightly shuffled, with one borrowed from a sibling."""
    own = SENTENCE_RE.split(base.abstract)
    borrowed = SENTENCE_RE.split(other.abstract)
    middle = own[1:]
    rng.shuffle(middle)
    extra = [rng.choice(borrowed)] if len(borrowed) > 1 else []
    return " ".join([own[0], *middle[: max(len(middle) - 1, 1)], *extra]).strip()


def _title(rng: random.Random, base: Text, other: Text) -> str:
    """The base title, sometimes with the sibling's subtitle or a variant prefix."""
    roll = rng.random()
    if roll < 0.3 and ":" in other.title:
        return f"{base.title.split(':')[0]}:{other.title.split(':', 1)[1]}"
    if roll < 0.45:
        return f"{rng.choice(('Towards', 'Revisiting', 'On', 'Scaling'))} {base.title}"
    return base.title


def _authors(rng: random.Random, names: list[str]) -> tuple[str, ...]:
    return tuple(rng.sample(names, k=min(len(names), rng.choice((1, 2, 3, 3, 4, 5, 6, 8)))))


def _categories(rng: random.Random, family: str) -> tuple[str, ...]:
    primary = _weighted(rng, CATEGORIES[family])
    count = rng.choices((0, 1, 2, 3), (45, 35, 15, 5))[0]
    crosses = [c for c in rng.sample(CROSS_LISTS[family], k=count) if c != primary]
    return (primary, *crosses)


def make_arxiv(rng: random.Random, pool: Pool, count: int) -> list[SynthPaper]:
    """`count` re-identified arXiv papers with realistic category spread and cross-lists."""
    families = {name: pool.family(name) for name, _ in FAMILY_SHARE}
    names = sorted({a for t in pool.texts for a in t.authors})
    papers = []
    for n in range(count):
        family = rng.choices([f for f, _ in FAMILY_SHARE], [w for _, w in FAMILY_SHARE])[0]
        base, other = rng.choice(families[family]), rng.choice(families[family])
        version = 1 if rng.random() > REPLACED_SHARE else rng.choice((2, 2, 3))
        papers.append(
            SynthPaper(
                f"2512.{20000 + n:05d}", version, _title(rng, base, other),
                _abstract(rng, base, other), _authors(rng, names), _categories(rng, family),
                pool.texts.index(base),
            )
        )  # fmt: skip
    return papers


def make_biorxiv(rng: random.Random, pool: Pool, count: int) -> list[SynthPaper]:
    """`count` re-identified bioRxiv papers keeping their recorded subjects."""
    texts = pool.family("bio")
    names = sorted({a for t in texts for a in t.authors})
    papers = []
    for n in range(count):
        base, other = rng.choice(texts), rng.choice(texts)
        papers.append(
            SynthPaper(
                f"2025.12.19.{600000 + n}", rng.choice((1, 1, 1, 2)), _title(rng, base, other),
                _abstract(rng, base, other), _authors(rng, names), (base.category,),
                pool.texts.index(base),
            )
        )  # fmt: skip
    return papers


def make_day(pool: Pool, arxiv: int = 2_500, biorxiv: int = 300, seed: int = 2512) -> Day:
    """A reproducible synthetic day."""
    rng = random.Random(seed)
    return Day(tuple(make_arxiv(rng, pool, arxiv)), tuple(make_biorxiv(rng, pool, biorxiv)))
