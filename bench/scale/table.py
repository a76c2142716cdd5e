"""The scale benchmark's table: figures per database and channel count, ratios and goals."""

from __future__ import annotations

from collections.abc import Sequence

from bench.scale.harness import RunResult
from bench.scale.jobtable import grid

GOAL_DAY_S = 60.0
GOAL_RSS_MB = 500.0
GOAL_SPEEDUP = 10.0
COLUMNS = (
    "db", "channels", "parse p/s", "store p/s", "corpus s", "match s", "digests s", "day s",
    "naive match s*", "x naive", "peak RSS MB", "DB MB", "matches", "digests",
)  # fmt: skip


def speedup(result: RunResult) -> float:
    """How many times faster the index matches every channel than the naive scan."""
    return result.naive_s / result.match_s if result.match_s else float("inf")


def row(result: RunResult) -> tuple[str, ...]:
    """One table row."""
    return (
        result.database, f"{result.channels:,}", f"{result.papers / result.parse_s:,.0f}",
        f"{result.papers / result.store_s:,.0f}", f"{result.corpus_s:.2f}",
        f"{result.match_s:.2f}", f"{result.digest_s:.2f}", f"{result.day_s:.1f}",
        f"{result.naive_s:,.0f}", f"{speedup(result):,.0f}x", f"{result.peak_rss_mb:.0f}",
        f"{result.db_mb:.1f}", f"{result.matched:,}", f"{result.digests:,}",
    )  # fmt: skip


def scaling(results: Sequence[RunResult]) -> list[str]:
    """Per database: how the day's cost grows with the channel count."""
    lines = []
    for database in dict.fromkeys(r.database for r in results):
        runs = sorted((r for r in results if r.database == database), key=lambda r: r.channels)
        if len(runs) < 2:
            continue
        small, large = runs[0], runs[-1]
        growth = large.day_s / small.day_s
        factor = large.channels / small.channels
        per = ", ".join(f"{r.channels:,}: {1000 * r.day_s / r.channels:.2f} ms" for r in runs)
        verdict = "sub-linear" if growth < factor else "NOT sub-linear"
        lines.append(f"{database}: day cost x{growth:.1f} for x{factor:.0f} channels "
                     f"({verdict}); per channel {per}")  # fmt: skip
    return lines


def goals(result: RunResult) -> list[str]:
    """The goals checked on a full-size run."""
    checks = (
        (f"whole day <= {GOAL_DAY_S:.0f} s", result.day_s <= GOAL_DAY_S, f"{result.day_s:.1f} s"),
        (f"peak RSS <= {GOAL_RSS_MB:.0f} MB", result.peak_rss_mb <= GOAL_RSS_MB,
         f"{result.peak_rss_mb:.0f} MB"),
        (f">= {GOAL_SPEEDUP:.0f}x faster than naive matching", speedup(result) >= GOAL_SPEEDUP,
         f"{speedup(result):,.0f}x; naive match alone vs the whole indexed day: "
         f"{result.naive_s / result.day_s:,.0f}x"),
    )  # fmt: skip
    return [
        f"{result.database} {result.channels:,} channels: {name}: "
        f"{'met' if ok else 'NOT met'} ({value})"
        for name, ok, value in checks
    ]


def render(results: Sequence[RunResult]) -> str:
    """The full report."""
    sampled = {r.naive_sample for r in results}
    notes = [
        grid([row(r) for r in results], COLUMNS),
        f"* naive = each channel's topics scan every paper with regexes (bot.query.naive_match);"
        f" timed on {', '.join(str(s) for s in sorted(sampled))} sampled channel(s) and"
        f" extrapolated linearly to all channels.",
        "day = parse + store + load/index the day's corpus + compose every digest (match, "
        "select, summaries from cache, assemble); match = ranking every channel's topics alone.",
        *scaling(results),
    ]
    for database in dict.fromkeys(r.database for r in results):
        full = max((r for r in results if r.database == database), key=lambda r: r.channels)
        notes.extend(goals(full))
    return "\n".join(notes)
