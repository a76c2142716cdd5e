"""Topic queries: parsing, source needs, text normalization, indexing, matching and ranking."""
