"""Ranking papers by scientific impact from pairwise LLM judgments (a Swiss tournament)."""
