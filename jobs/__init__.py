"""Scheduled work: the daily fetch, per-channel delivery and the scheduler that runs them."""
