"""`bench/qa.py` runs and prints its table on the recorded PaSa PDF."""

from __future__ import annotations

import pytest

from bench import qa


def test_qa_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    qa.main()
    out = capsys.readouterr().out
    assert "median per question outside the LLM" in out
    assert "prompt tokens per answer" in out and "verdict" in out
