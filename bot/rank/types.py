"""What the reranker reads of a candidate paper."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RerankItem:
    """A candidate for reranking: its stored id, title and abstract (display text)."""

    paper_id: int
    title: str
    abstract: str
