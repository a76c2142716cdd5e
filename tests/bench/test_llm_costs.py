"""A small run of the LLM cost benchmark, so that it cannot rot."""

from __future__ import annotations

from pathlib import Path

from bench.llm_costs import estimate_tokens, run


def test_token_estimate_counts_latin_and_cjk() -> None:
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("论文速递") == 4


async def test_each_paper_is_summarized_once_per_language(tmp_path: Path) -> None:
    report = await run(tmp_path, channels_count=40)
    assert report.channels == 40 and report.digests > 0
    assert report.summary_calls == report.unique_summaries > 0
    assert report.calls == report.summary_calls + report.digests  # one themes call per digest
    assert report.prompt_tokens > 0 and report.completion_tokens > 0
    assert "summary calls per unique paper per language (goal 1.0)" in report.render()
