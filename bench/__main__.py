"""`make bench`: runs every benchmark and prints its table."""

from __future__ import annotations

import asyncio
import sys

from bench import (
    biomed,
    delivery,
    followups,
    impact,
    llm_costs,
    qa,
    search,
    slack_burst,
    summaries,
)
from bench.ranking import quality as ranking_quality
from bench.scale import jobcli as scale


def main() -> int:
    """Run the benchmarks in order; each prints a table with ratios."""
    print("== Offline summarizer vs lead baseline (ROUGE-L F1 on the reference digest) ==")
    summaries.main()
    print("\n== Offline summarizer on bioRxiv/medRxiv and journal abstracts: defects, roles ==")
    biomed.main()
    print("\n== LLM cost of a digest day by purpose, 1,000 and 10,000 channels, fake LLM ==")
    asyncio.run(llm_costs.main())
    print(
        "\n== Scale: the delivery job on a heavy day (2,500 arXiv + 300 bioRxiv), 1k-100k "
        "channels due at once, SQLite and Postgres, naive baseline at 1k =="
    )
    scale.main()
    print("\n== Delivery against platform limits (Slack 1/s per channel, Telegram 30/s) ==")
    delivery.main()
    print("\n== Slash command burst against `paperbot run --http` (signed Slack requests) ==")
    slack_burst.main()
    print("\n== Q&A: full-text preparation and per-question time outside the LLM ==")
    qa.main()
    print("\n== Search over a year of papers ==")
    search.main()
    print("\n== Ranking quality: library vs 1,080 real papers, lexical / semantic / blend ==")
    ranking_quality.main()
    print("\n== Follow-ups: re-checking 50,000 posted papers (requests per source, our time) ==")
    followups.main()
    print("\n== Impact tournament: 16 papers, Swiss rounds against all pairs ==")
    impact.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
