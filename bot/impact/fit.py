"""Bradley–Terry strengths from pairwise outcomes, fitted with choix's ILSR.

choix (a well-kept fitter of Luce-family models) solves the regularized maximum-likelihood
problem; the small `alpha` keeps a paper that won or lost every comparison finite.
"""

from __future__ import annotations

from collections.abc import Sequence

ALPHA = 0.01  # L2 regularization: enough to keep unbeaten papers finite, little bias


def bradley_terry(count: int, outcomes: Sequence[tuple[int, int]]) -> list[float]:
    """Log-strengths of papers 0..count-1 from (winner, loser) index pairs (higher is better)."""
    if count == 0:
        return []
    if not outcomes:
        return [0.0] * count
    import choix  # with scipy and networkx, about 60 MB: loaded when a tournament is fitted

    params = choix.ilsr_pairwise(count, list(outcomes), alpha=ALPHA)
    return [float(p) for p in params]


def ranking(strengths: Sequence[float]) -> list[int]:
    """Indices best first; ties keep the earlier (prior) position."""
    return sorted(range(len(strengths)), key=lambda i: (-strengths[i], i))
