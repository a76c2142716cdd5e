"""Offline weekly themes: keyword clusters with counts, the change on last week, categories."""

from __future__ import annotations

from bot.weekly.themes import Tagged, weekly_keyword_themes
from tests.bot.digest.test_render import summary


def tagged(category: str, *keywords: str) -> Tagged:
    return Tagged(summary(keywords=keywords), category)


def test_clusters_count_the_week_and_the_change_on_last_week() -> None:
    this_week = [
        tagged("cs.CL", "retrieval-augmented generation", "LLM agents"),
        tagged("cs.IR", "Retrieval augmented generation", "benchmarks"),
        tagged("cs.CL", "retrieval augmented generations", "LLM agent", "agents"),
        tagged("cs.CL", "retrieval-augmented generation"),
        tagged("cs.CL", "retrieval-augmented generation"),
        tagged("cs.LG", "graph neural networks"),
    ]
    last_week = [
        tagged("cs.CL", "retrieval-augmented generation"),
        tagged("cs.CL", "retrieval-augmented generation"),
        tagged("cs.CL", "retrieval-augmented generation"),
        tagged("cs.AI", "LLM agents"),
        tagged("cs.AI", "LLM agents"),
        tagged("cs.AI", "LLM agents"),
    ]
    assert weekly_keyword_themes(this_week, last_week, "en") == (
        "retrieval-augmented generation: 5 (+2) · cs.CL, cs.IR",  # links two categories
        "LLM agents: 2 (-1)",  # "agents" adds nothing next to it
    )
    zh = weekly_keyword_themes(this_week, [], "zh")
    assert zh[0].startswith("retrieval-augmented generation：5（+5）")


def test_no_theme_without_a_keyword_two_papers_share() -> None:
    assert weekly_keyword_themes([tagged("x", "a"), tagged("y", "b")], [], "en") == ()


def test_acronym_and_expansion_are_one_weekly_theme() -> None:
    """"Large Language Models: 20" and "LLMs: 7" are the same theme, counted once."""
    this_week = [tagged("cs.CL", "Large Language Models")] * 20 + [tagged("cs.AI", "LLMs")] * 7
    themes = weekly_keyword_themes(this_week, [tagged("cs.CL", "LLM")] * 3, "en")
    assert themes == ("Large Language Models (LLMs): 27 (+24) · cs.AI, cs.CL",)
