"""Digests: choosing a channel's papers for a date, and their neutral rendering."""
