"""More like this: the stored papers closest to a paper by shared content terms.

Similarity is the cosine of binary content-term sets (`content_terms`, as digest feedback
uses). The full-text index finds candidates fast: papers sharing at least two of the paper's
probe terms (its title's content words first, then the abstract's most repeated ones), the
most recent `candidates` of them (`candidate_ids`); the exact similarity then orders them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from itertools import combinations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.feedback import COMMON, MIN_TERM_LENGTH, content_terms
from bot.models import Paper
from bot.query.terms import raw_tokens, stem
from bot.search.fts import AllOf, AnyOf, FtsNode, Phrase, candidate_ids
from bot.search.service import Hit, papers_by_id

SIMILAR = 5
CANDIDATES = 200
PROBE_TERMS = 6
CHUNK = 500


def _content_words(text: str) -> list[str]:
    """Folded unstemmed words whose stems are content terms, in order."""
    stems = ((word, stem(word)) for word in raw_tokens(text))
    return [word for word, s in stems if len(s) >= MIN_TERM_LENGTH and s not in COMMON]


def probe_terms(title: str, abstract: str, limit: int = PROBE_TERMS) -> list[str]:
    """The words to look for: title content words, then the abstract's most frequent ones."""
    chosen: dict[str, str] = {}  # stem -> first raw form
    for word in _content_words(title):
        chosen.setdefault(stem(word), word)
    counts = Counter(_content_words(abstract))
    for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]))):
        chosen.setdefault(stem(word), word)
    return list(chosen.values())[:limit]


def two_of(words: Sequence[str]) -> FtsNode:
    """An index expression for papers containing at least two of `words` (one if just one)."""
    terms = [Phrase("any", (word,)) for word in words]
    if len(terms) == 1:
        return terms[0]
    return AnyOf(tuple(AllOf(pair) for pair in combinations(terms, 2)))


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two binary term sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


async def _terms_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = await session.exec(
            select(Paper.id, Paper.title, Paper.abstract).where(col(Paper.id).in_(chunk))
        )
        found.update({pid: content_terms(title, abstract) for pid, title, abstract in rows})
    return found


async def similar_papers(
    session: AsyncSession,
    paper: Paper,
    *,
    limit: int = SIMILAR,
    candidates: int = CANDIDATES,
    today: date | None = None,
) -> list[Hit]:
    """The `limit` stored papers most similar to `paper` (never itself), most similar first."""
    probes = probe_terms(paper.title, paper.abstract)
    if not probes:
        return []
    found = await candidate_ids(session, two_of(probes), None, candidates + 1, today)
    ids = [i for i in found if i != paper.id][:candidates]
    mine = content_terms(paper.title, paper.abstract)
    scored = [(cosine(mine, terms), pid) for pid, terms in (await _terms_of(session, ids)).items()]
    best = sorted((s for s in scored if s[0] > 0), reverse=True)[:limit]
    papers = await papers_by_id(session, [pid for _, pid in best])
    return [Hit(papers[pid], score) for score, pid in best if pid in papers]
