"""Benchmarks and evaluations run by `make bench`."""
