"""Fixtures shared with the jobs tests."""

from tests.jobs.conftest import app  # noqa: F401
