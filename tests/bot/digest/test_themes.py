"""Offline themes: keyword clusters with counts, in the digest's language."""

from __future__ import annotations

from bot.digest.themes import ThemeMemo, keyword_themes
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


def test_acronyms_plurals_and_case_merge_into_one_theme() -> None:
    summaries = [
        summary(keywords=("Large Language Models", "code generation")),
        summary(keywords=("LLMs", "reasoning")),
        summary(keywords=("large language model", "tool use")),
    ]
    assert keyword_themes(summaries, "en") == ("3 papers on Large Language Models (LLMs)",)


def test_a_digest_of_ten_papers_gets_named_clusters_by_shared_terms() -> None:
    """Few whole keywords are shared in ten papers; shared key terms still group them."""
    ten = [
        summary(keywords=("Large Language Models", "code generation")),
        summary(keywords=("LLMs", "reasoning")),
        summary(keywords=("medical image segmentation", "U-Net")),
        summary(keywords=("semantic segmentation", "remote sensing")),
        summary(keywords=("protein design", "diffusion models")),
        summary(keywords=("Diffusion Model", "image synthesis")),
        summary(keywords=("protein structure prediction", "AlphaFold")),
        summary(keywords=("graph neural networks", "molecules")),
        summary(keywords=("GNN", "drug discovery")),
        summary(keywords=("quantum error correction",)),
    ]
    themes = keyword_themes(ten, "en")
    assert 2 <= len(themes) <= 4
    assert "2 papers on Large Language Models (LLMs)" in themes
    assert "2 papers on graph neural networks (GNN)" in themes
    assert "2 papers on segmentation" in themes
    assert not any("quantum" in theme for theme in themes)  # a term of one paper is no theme


def test_the_theme_memo_works_a_list_out_once_and_drops_the_least_recently_used() -> None:
    calls: list[str] = []

    def tokens(text: str) -> tuple[str, ...]:
        calls.append(text)
        return tuple(text.lower().split())

    memo = ThemeMemo(limit=2)
    memo.tokens = tokens
    first = [summary(keywords=("graph networks",)), summary(keywords=("graph networks",))]
    second = [summary(keywords=("protein design",)), summary(keywords=("protein design",))]
    third = [summary(keywords=("sparse attention",)), summary(keywords=("sparse attention",))]
    assert memo.themes(first, "en") == keyword_themes(first, "en")
    memo.themes(second, "en")
    worked = len(calls)
    assert memo.themes(first, "en") == ("2 papers on graph networks",)
    assert len(calls) == worked  # kept: nothing tokenized again
    memo.themes(third, "en")  # over the limit: `second`, used least recently, goes
    worked = len(calls)
    memo.themes(first, "en")
    assert len(calls) == worked
    memo.themes(second, "en")
    assert len(calls) > worked
