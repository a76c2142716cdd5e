"""`make bench`: runs every benchmark and prints its table."""

from __future__ import annotations

import sys

from bench import summaries


def main() -> int:
    """Run the benchmarks in order; each prints a table with ratios."""
    print("== Offline summarizer vs lead baseline (ROUGE-L F1 on the reference digest) ==")
    summaries.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
