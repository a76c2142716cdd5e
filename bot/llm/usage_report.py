"""A plain-text table of LLM token use per day, for `paperbot usage`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.usage import DailyUsage

HEADER = ("day", "calls", "prompt", "completion", "total")


def format_usage(rows: Sequence[DailyUsage]) -> str:
    """Calls and prompt/completion tokens per day, newest first, with a total line."""
    if not rows:
        return "No LLM usage recorded."
    lines = [_row(*HEADER)]
    for r in rows:
        lines.append(
            _row(str(r.day), r.calls, r.prompt_tokens, r.completion_tokens, r.total_tokens)
        )
    lines.append(
        _row(
            "total",
            sum(r.calls for r in rows),
            sum(r.prompt_tokens for r in rows),
            sum(r.completion_tokens for r in rows),
            sum(r.total_tokens for r in rows),
        )
    )
    return "\n".join(lines)


def _row(day: str, *numbers: int | str) -> str:
    cells = [f"{n:,}" if isinstance(n, int) else n for n in numbers]
    return f"{day:<10}  " + "  ".join(f"{c:>12}" for c in cells)
