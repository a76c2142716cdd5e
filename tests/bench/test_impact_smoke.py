"""A small run of the impact tournament benchmark, so that it cannot rot."""

from __future__ import annotations

from bench.impact import NOISE, all_pairs_cost, real_candidates, tau_at, taus


async def test_a_small_tournament_recovers_a_noise_free_order_and_costs_less() -> None:
    pool = real_candidates(8)
    assert len({c.title for c in pool}) == 8 and all(c.summary for c in pool)
    tau, result = await tau_at(pool, 0.0, seed=1)
    assert tau >= 0.7 and result.judgments < all_pairs_cost(pool)[0] == 56
    found = await taus(pool, seeds=2)
    assert set(found) == set(NOISE) and all(len(v) == 2 for v in found.values())
