"""The comparison schedule of an impact tournament: Swiss rounds over the current ranking.

Round one pairs the candidates in their given order (1v2, 3v4, …: the caller's prior, e.g.
votes and summary score); each later round pairs neighbours in the fitted ranking that have
not met yet. Every paper meets at most one opponent per round, so `rounds` bounds the
comparisons per paper, and close papers meet where the order is still in doubt.
"""

from __future__ import annotations

from collections.abc import Sequence

Pair = tuple[int, int]


def swiss_pairs(order: Sequence[int], played: set[frozenset[int]]) -> list[Pair]:
    """This round's pairs: each paper, best first, meets the next paper it has not met.

    With an odd count the last unpaired paper sits the round out; a paper that has met every
    remaining one sits out too, rather than meeting an opponent twice.
    """
    waiting = list(order)
    pairs: list[Pair] = []
    while len(waiting) > 1:
        first = waiting.pop(0)
        second = next((p for p in waiting if frozenset((first, p)) not in played), None)
        if second is None:
            continue
        waiting.remove(second)
        pairs.append((first, second))
    return pairs


def comparisons_per_paper(pairs: Sequence[Pair]) -> dict[int, int]:
    """How many distinct opponents each paper met in `pairs`."""
    met: dict[int, set[int]] = {}
    for a, b in pairs:
        met.setdefault(a, set()).add(b)
        met.setdefault(b, set()).add(a)
    return {paper: len(opponents) for paper, opponents in met.items()}
