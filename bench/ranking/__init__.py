"""Ranking quality of the channel library: lexical vs semantic vs blend (see METHOD.md)."""
