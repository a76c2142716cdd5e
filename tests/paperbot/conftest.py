"""Fixtures shared with the jobs tests, and restoring the process's logging."""

import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from tests.jobs.conftest import app  # noqa: F401


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back afterwards."""
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, sys.excepthook
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name in ("httpx", "httpcore", "alembic", "apscheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        sys.excepthook = hook
        structlog.reset_defaults()
