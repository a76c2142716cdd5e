"""A small run of the LLM cost benchmark, so that it cannot rot."""

from __future__ import annotations

from pathlib import Path

from bench.llm_costs import estimate_tokens, run

PAIRS_ROW = "(paper, language) pairs sent to the LLM per unique pair summarized (goal 1.0)"


def test_token_estimate_counts_latin_and_cjk() -> None:
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("论文速递") == 4


async def test_each_paper_is_sent_once_per_language_in_shared_batches(tmp_path: Path) -> None:
    report = await run(tmp_path, channels_count=40)
    assert report.channels == 40 and report.digests > 0 and report.batch == 8
    # each pair once, except the few a batch reply placed badly (the ownership check re-asks
    # those alone: 1 of 136 reference summaries has a field closer to another paper)
    assert 0 < report.unique_summaries <= report.pairs_sent <= 1.02 * report.unique_summaries
    assert report.most_sends <= 2
    assert report.summary_calls < report.unique_summaries  # several papers per call
    assert report.calls - report.digests == report.summary_calls  # one themes call per digest
    assert report.prompt_tokens > 0 and report.completion_tokens > 0
    assert PAIRS_ROW in report.render() and "papers per summary call" in report.render()


async def test_batch_of_one_is_one_call_per_paper(tmp_path: Path) -> None:
    report = await run(tmp_path, channels_count=20, batch=1)
    assert report.summary_calls == report.pairs_sent == report.unique_summaries > 0
    assert report.most_sends == 1
