"""Reranking a channel's candidates: an LLM's 0–10 relevance, cached, blended with BM25."""
