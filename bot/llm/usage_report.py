"""A plain-text table of LLM token use per day, for `paperbot usage`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.llm.prices import Prices
from bot.store.usage import DailyUsage, PurposeUsage

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


PURPOSE_HEADER = ("purpose", "calls", "prompt", "completion", "total", "cost")


def format_purposes(rows: Sequence[PurposeUsage], prices: Prices, span: str) -> str:
    """Calls, tokens and (with prices) the estimated cost per purpose over `span`."""
    if not rows:
        return f"No LLM usage recorded {span}."
    merged: dict[str, list[float | None]] = {}
    for r in rows:
        cost = prices.cost(r.model, r.prompt_tokens, r.completion_tokens)
        calls, inp, out, dollars = merged.get(r.purpose, [0, 0, 0, 0.0])
        merged[r.purpose] = [
            (calls or 0) + r.calls, (inp or 0) + r.prompt_tokens,
            (out or 0) + r.completion_tokens,
            None if cost is None or dollars is None else dollars + cost,
        ]  # fmt: skip
    lines = [f"By purpose, {span}:", _purpose_row(*PURPOSE_HEADER)]
    for purpose, (calls, inp, out, dollars) in merged.items():
        lines.append(_purpose_row(purpose, int(calls or 0), int(inp or 0), int(out or 0),
                                  int((inp or 0) + (out or 0)), _dollars(dollars)))  # fmt: skip
    costs = [m[3] for m in merged.values()]
    if prices.known:
        total = sum(c for c in costs if c is not None)
        note = "" if all(c is not None for c in costs) else " (some models have no price set)"
        lines.append(f"Estimated cost {span}: ${total:,.2f}{note}")
    else:
        lines.append("Set LLM_PRICE_PER_MTOK_IN and LLM_PRICE_PER_MTOK_OUT for a cost estimate.")
    return "\n".join(lines)


def _dollars(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _purpose_row(purpose: str, *cells: int | str) -> str:
    shown = [f"{c:,}" if isinstance(c, int) else c for c in cells]
    return f"{purpose:<11} " + "  ".join(f"{c:>12}" for c in shown)
