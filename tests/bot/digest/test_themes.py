"""Offline themes: keyword clusters with counts, in the digest's language."""

from __future__ import annotations

from bot.digest.themes import keyword_themes
from tests.bot.digest.test_render import summary


def test_shared_keywords_become_counted_themes() -> None:
    summaries = [
        summary(keywords=("retrieval-augmented generation", "LLM agents")),
        summary(keywords=("Retrieval augmented generation", "benchmarks")),
        summary(keywords=("retrieval augmented generations", "LLM agent", "agents")),
        summary(keywords=("graph neural networks",)),
    ]
    themes = keyword_themes(summaries, "en")
    assert themes == (
        "3 papers on retrieval-augmented generation",
        "2 papers on LLM agents",
    )
    assert keyword_themes(summaries, "zh")[0] == "3 篇关于 retrieval-augmented generation"


def test_no_theme_without_a_keyword_shared_by_two_papers() -> None:
    assert keyword_themes([summary(keywords=("a", "b")), summary(keywords=("c",))], "en") == ()
