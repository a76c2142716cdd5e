"""LLM prices from the settings, and what a span of usage cost.

`LLM_PRICE_PER_MTOK_IN` / `_OUT` are US dollars per million prompt / completion tokens:
either one number for every model ("0.15") or a table per model
("gpt-4o-mini=0.15,gpt-4o=2.5"; a "*=…" entry is the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class PriceError(ValueError):
    """A price setting that is not a number or a model=number table."""


def parse_prices(text: str) -> dict[str, float]:
    """Model → dollars per million tokens ("*" for every other model); {} when unset."""
    text = text.strip()
    if not text:
        return {}
    table: dict[str, float] = {}
    for entry in text.split(","):
        model, _, price = entry.rpartition("=") if "=" in entry else ("*", "", entry)
        try:
            value = float(price)
        except ValueError:
            raise PriceError(f"not a price: {entry.strip()!r} (use 0.15 or model=0.15)") from None
        if value < 0:
            raise PriceError(f"a price cannot be negative: {entry.strip()!r}")
        table[model.strip() or "*"] = value
    return table


@dataclass(frozen=True)
class Prices:
    """Prompt and completion prices per model."""

    prompt: Mapping[str, float]
    completion: Mapping[str, float]

    @classmethod
    def parse(cls, prompt: str, completion: str) -> Prices:
        """From the two settings' texts."""
        return cls(parse_prices(prompt), parse_prices(completion))

    @property
    def known(self) -> bool:
        """True when any price is configured."""
        return bool(self.prompt or self.completion)

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Dollars for these tokens with `model`, or None when its price is not configured."""
        price_in = self.prompt.get(model, self.prompt.get("*"))
        price_out = self.completion.get(model, self.completion.get("*"))
        if price_in is None and price_out is None:
            return None
        return (prompt_tokens * (price_in or 0.0) + completion_tokens * (price_out or 0.0)) / 1e6
