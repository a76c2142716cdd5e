"""A small run of the LLM cost benchmark, so that it cannot rot."""

from __future__ import annotations

from pathlib import Path

from bench.llm_costs import render, run
from bench.llm_fake import count_tokens, estimate_tokens

PAIRS_ROW = "pairs sent per unique pair summarized (goal 1.0)"


def test_tokens_are_counted_exactly_and_the_estimate_kept_for_comparison() -> None:
    assert count_tokens("Hello world, this is a test of tokenization.") == 11  # cl100k_base
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("论文速递") == 4


async def test_each_paper_is_sent_once_and_themes_do_not_grow_with_channels(
    tmp_path: Path,
) -> None:
    few = await run(tmp_path / "few", channels_count=20)
    many = await run(tmp_path / "many", channels_count=60)
    for report in (few, many):
        assert report.digests > 0 and report.batch == 8
        # each pair once, except the few whose batch item the ownership check re-asks alone
        # (about 1 in 140 reference summaries has a field closer to another paper's words;
        # which ones depends on how concurrent digests fill the batches, so allow a few)
        re_asked = report.pairs_sent - report.unique_summaries
        assert report.unique_summaries > 0
        assert 0 <= re_asked <= max(3, report.unique_summaries // 25)
        assert report.most_sends <= 2
        assert report.summary_calls < report.unique_summaries  # several papers per call
        assert 0 < report.spent["themes"].calls <= report.categories  # per (category, language)
        assert report.spent["rerank"].calls == 0  # off by default
    table = render([few, many])
    assert PAIRS_ROW in table and "themes: calls" in table and "(goal <= 700)" in table


async def test_batch_of_one_is_one_call_per_paper(tmp_path: Path) -> None:
    report = await run(tmp_path, channels_count=20, batch=1)
    assert report.summary_calls == report.pairs_sent == report.unique_summaries > 0
    assert report.most_sends == 1
