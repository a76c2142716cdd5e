"""Searching the stored papers: topic-query search over a full-text index, and more like this."""
