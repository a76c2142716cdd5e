"""Small factories and helpers for the query tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.query import IndexDoc, PaperIndex, compile_query, naive_match, parse_query

REFERENCE_FILE = "arxiv_digest_2512_llm_summaries.jsonl"


def doc(doc_id: int, title: str = "", abstract: str = "", **overrides: Any) -> IndexDoc:
    """An arXiv cs.CL paper; override any IndexDoc field."""
    fields: dict[str, Any] = {
        "authors": ("Ada Lovelace",),
        "categories": ("cs.CL",),
        "primary_category": "cs.CL",
        "source": "arxiv",
        "feed": None,
    }
    fields.update(overrides)
    return IndexDoc(doc_id=doc_id, title=title, abstract=abstract, **fields)


def matched(query: str, docs: Sequence[IndexDoc]) -> set[int]:
    """Doc ids the index matches for `query`, checked against the naive scanner."""
    compiled = compile_query(parse_query(query))
    found = set(compiled.scores(PaperIndex(docs)))
    assert found == set(naive_match(compiled.query, docs)), "index and naive scan disagree"
    return found


def load_reference_docs(reference_dir: Path) -> list[IndexDoc]:
    """The reference digest's papers as IndexDocs, doc_id = line number."""
    docs = []
    lines = (reference_dir / REFERENCE_FILE).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        row = json.loads(line)
        docs.append(
            IndexDoc(
                doc_id=number,
                title=row["title"],
                abstract=row["abstract"],
                authors=tuple(row["authors"]),
                categories=(row["main_category"],),
                primary_category=row["main_category"],
                source="arxiv",
            )
        )
    return docs
