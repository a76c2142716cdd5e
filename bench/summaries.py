"""Offline summarizer vs the lead baseline, scored with ROUGE-L F1 against LLM summaries.

The reference set is ../shared/reference/arxiv_digest_2512_llm_summaries.jsonl (124 papers
with LLM-written tldr, motivation, method, result and conclusion). For each field we report
the mean ROUGE-L F1 (rouge-score, stemming on) of the offline summarizer and of the
positional lead baseline (`bot.summary.lead`), and their ratio. Note: these same papers
were used to tune the offline cue phrases and field lengths, so the figures are in-sample.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

from bot.summary.lead import LEAD_FIELDS, lead_baseline
from bot.summary.offline import OfflineSummarizer
from bot.summary.types import PaperText, Summary

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
REFERENCE_FILE = "arxiv_digest_2512_llm_summaries.jsonl"
FIELDS = LEAD_FIELDS  # tldr, motivation, method, result, conclusion
MEAN = "mean"


@dataclass(frozen=True)
class FieldScore:
    """Mean ROUGE-L F1 of one field (or the mean over fields) for offline and lead."""

    field: str
    offline: float
    lead: float

    @property
    def ratio(self) -> float:
        """offline / lead (inf when lead is 0)."""
        return self.offline / self.lead if self.lead else float("inf")


def load_reference(reference_path: Path) -> list[dict[str, object]]:
    """The reference rows; `reference_path` is the .jsonl file or the directory holding it."""
    path = reference_path / REFERENCE_FILE if reference_path.is_dir() else reference_path
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def offline_summaries(rows: list[dict[str, object]]) -> list[Summary]:
    """The offline summarizer's output for every reference row, in order."""
    summarizer = OfflineSummarizer()
    return [
        summarizer.summarize_now(
            PaperText(str(r["arxiv_id"]), str(r["title"]), str(r["abstract"])), "en"
        )
        for r in rows
    ]


def evaluate(reference_path: Path = REFERENCE_DIR) -> list[FieldScore]:
    """Per-field mean ROUGE-L F1 (offline and lead), then a final row averaging the fields."""
    rows = load_reference(reference_path)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    made = [s.to_dict() for s in offline_summaries(rows)]
    leads = [lead_baseline(str(r["abstract"])) for r in rows]
    scores = [
        FieldScore(
            name, _mean_rouge(scorer, rows, made, name), _mean_rouge(scorer, rows, leads, name)
        )
        for name in FIELDS
    ]
    mean = FieldScore(
        MEAN,
        statistics.fmean(s.offline for s in scores),
        statistics.fmean(s.lead for s in scores),
    )
    return [*scores, mean]


def _mean_rouge(
    scorer: rouge_scorer.RougeScorer,
    references: list[dict[str, object]],
    candidates: list[dict[str, object]],
    name: str,
) -> float:
    """Mean ROUGE-L F1 of one field over paired reference and candidate rows."""
    pairs = zip(references, candidates, strict=True)
    return statistics.fmean(
        scorer.score(str(ref[name]), str(cand[name]))["rougeL"].fmeasure for ref, cand in pairs
    )


def ms_per_abstract(reference_path: Path = REFERENCE_DIR, rounds: int = 3) -> float:
    """Best-of-`rounds` mean wall time (ms) to summarize one abstract, after construction."""
    rows = load_reference(reference_path)
    papers = [PaperText(str(r["arxiv_id"]), str(r["title"]), str(r["abstract"])) for r in rows]
    summarizer = OfflineSummarizer()
    summarizer.summarize_now(papers[0], "en")  # warm-up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for paper in papers:
            summarizer.summarize_now(paper, "en")
        best = min(best, (time.perf_counter() - start) / len(papers) * 1000)
    return best


def render_table(rows: list[FieldScore]) -> str:
    """A plain-text table: field | offline | lead | ratio."""
    lines = [
        f"{'field':<12} | {'offline':>7} | {'lead':>7} | {'ratio':>6}",
        f"{'-' * 12}-+-{'-' * 7}-+-{'-' * 7}-+-{'-' * 6}",
    ]
    lines += [f"{r.field:<12} | {r.offline:7.3f} | {r.lead:7.3f} | {r.ratio:6.2f}" for r in rows]
    return "\n".join(lines)


def main() -> None:
    """Print the ROUGE-L table and the offline summarizer's speed."""
    print("ROUGE-L F1 vs the reference LLM summaries (offline summarizer vs positional lead)")
    print(render_table(evaluate(REFERENCE_DIR)))
    print(f"offline summarizer: {ms_per_abstract(REFERENCE_DIR):.1f} ms per abstract")


if __name__ == "__main__":
    main()
