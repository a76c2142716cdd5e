"""The delivery-job benchmark's table: figures per database and size, growth, goals."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bench.scale.job import JobResult

GOAL_S, GOAL_AT = 120.0, 100_000
GOAL_RSS_MB = 500.0
GOAL_SPEEDUP = 10.0
COLUMNS = ("db", "channels", "to last post s", "ms/channel", "peak RSS MB", "KB/channel",
           "DB MB", "digests", "posts", "rows/digest", "posts/digest")  # fmt: skip


def row(r: JobResult) -> tuple[str, ...]:
    """One table row."""
    digests = max(r.digests, 1)
    return (
        r.database, f"{r.channels:,}", f"{r.seconds:.1f}", f"{1000 * r.seconds / r.channels:.2f}",
        f"{r.peak_rss_mb:.0f}", f"{1024 * r.peak_rss_mb / r.channels:.1f}", f"{r.db_mb:.0f}",
        f"{r.digests:,}", f"{r.posts:,}", f"{r.rows / digests:.2f}", f"{r.posts / digests:.2f}",
    )  # fmt: skip


def grid(rows: Sequence[tuple[str, ...]], columns: tuple[str, ...] = COLUMNS) -> str:
    """Rows under `columns`, right-aligned."""
    table = [columns, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def growth(results: Sequence[JobResult]) -> list[str]:
    """Per database and step between sizes: how time and peak RSS grow with the channels."""
    lines = []
    for database in dict.fromkeys(r.database for r in results):
        runs = sorted((r for r in results if r.database == database), key=lambda r: r.channels)
        for small, large in itertools.pairwise(runs):
            factor = large.channels / small.channels
            steps = []
            for name, a, b in (("time", small.seconds, large.seconds),
                               ("peak RSS", small.peak_rss_mb, large.peak_rss_mb)):  # fmt: skip
                verdict = "sub-linear" if b / a < factor * 0.9 else "linear or worse"
                steps.append(f"{name} x{b / a:.1f} ({verdict})")
            lines.append(f"{database} {small.channels:,} -> {large.channels:,} "
                         f"(x{factor:.0f} channels): " + ", ".join(steps))  # fmt: skip
    return lines


def naive(results: Sequence[JobResult]) -> list[str]:
    """The baseline, measured in the same process run as ours, and the ratio."""
    lines = []
    for r in results:
        if r.naive_channels and r.naive_s:
            ratio = r.naive_s / r.ours_naive_s if r.ours_naive_s else float("inf")
            lines.append(
                f"{r.database} naive: {r.naive_channels:,} channels measured in the same run as "
                f"ours at {r.channels:,}: {1000 * r.naive_s / r.naive_channels:,.0f} ms/channel vs "
                f"ours {1000 * r.seconds / r.channels:,.1f} ms/channel: x{ratio:.0f} per channel "
                f"({'met' if ratio >= GOAL_SPEEDUP else 'NOT met'}: >= x{GOAL_SPEEDUP:.0f})"
            )
    return lines


def goals(results: Sequence[JobResult]) -> list[str]:
    """The time, memory and rows goals."""
    lines = []
    for r in results:
        if r.channels >= GOAL_AT:
            ok = r.seconds <= GOAL_S
            lines.append(f"{r.database} {r.channels:,}: to last post <= {GOAL_S:.0f} s: "
                         f"{'met' if ok else 'NOT met'} ({r.seconds:.1f} s)")  # fmt: skip
    worst = max(results, key=lambda r: r.peak_rss_mb)
    verdict = "met" if worst.peak_rss_mb <= GOAL_RSS_MB else "NOT met"
    lines.append(f"peak RSS <= {GOAL_RSS_MB:.0f} MB at every size: {verdict} (worst "
                 f"{worst.peak_rss_mb:.0f} MB, {worst.database} {worst.channels:,})")  # fmt: skip
    over = [r for r in results if r.rows / max(r.digests, 1) > 2 + r.posts / max(r.digests, 1)]
    lines.append(f"rows per digest <= 2 + posts: {'NOT met' if over else 'met'}")
    return lines


def render(results: Sequence[JobResult]) -> str:
    """The full report."""
    return "\n".join([
        grid([row(r) for r in results]),
        "to last post = jobs.deliver.run from the due check to the last post recorded (fake "
        "senders that accept at once); rows = rows the run added, every table; a digest's rows "
        "are its delivery row (claim, plan with the numbers, header ref, status) and one "
        "delivered_papers row per paper post.",
        "naive = channel after channel: DigestPoster.deliver alone (claim, per-channel store "
        "reads, plan, each post its own transactions), topics matched by scanning every paper "
        "with regexes (bot.query.naive_match), same scores, so the same digests.",
        *growth(results), *naive(results), *goals(results),
    ])  # fmt: skip
