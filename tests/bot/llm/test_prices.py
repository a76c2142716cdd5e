"""LLM prices from the settings and the per-purpose usage report with its cost estimate."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.llm.prices import PriceError, Prices, parse_prices
from bot.llm.usage_report import format_purposes
from bot.store.usage import PurposeUsage


def test_one_price_for_every_model_or_a_table_per_model() -> None:
    assert parse_prices("") == {}
    assert parse_prices("0.15") == {"*": 0.15}
    assert parse_prices("gpt-4o-mini=0.15, gpt-4o=2.5,*=1") == {
        "gpt-4o-mini": 0.15, "gpt-4o": 2.5, "*": 1.0,
    }  # fmt: skip
    for bad in ("cheap", "m=-1", "m=x"):
        with pytest.raises(PriceError):
            parse_prices(bad)


def test_a_bad_price_setting_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="llm_price_per_mtok_in"):
        Settings(_env_file=None, llm_price_per_mtok_in="lots")  # type: ignore[call-arg]


def test_cost_uses_the_model_s_price_then_the_default() -> None:
    prices = Prices.parse("big=10,*=1", "big=30")
    assert prices.cost("big", 1_000_000, 100_000) == pytest.approx(13.0)
    assert prices.cost("small", 2_000_000, 5) == pytest.approx(2.0)
    assert Prices.parse("big=10", "").cost("other", 10, 10) is None


def test_usage_by_purpose_with_a_cost_per_purpose_and_in_all() -> None:
    rows = [
        PurposeUsage("summary", "m", 40, 200_000, 60_000),
        PurposeUsage("tournament", "m", 80, 30_000, 5_000),
        PurposeUsage("briefing", "m", 1, 2_000, 400),
    ]
    text = format_purposes(rows, Prices.parse("0.5", "1.5"), "this month")
    lines = text.splitlines()
    assert lines[0] == "By purpose, this month:"
    assert lines[2].split()[:2] == ["summary", "40"] and lines[2].endswith("$0.19")
    assert "tournament" in lines[3] and "briefing" in lines[4]
    assert lines[-1] == "Estimated cost this month: $0.21"
    unpriced = format_purposes(rows, Prices.parse("", ""), "this month")
    assert unpriced.splitlines()[-1].startswith("Set LLM_PRICE_PER_MTOK_IN")
