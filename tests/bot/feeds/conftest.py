"""The archive tests' delivered channel (ten quant-ph papers on 2025-04-28), for feeds."""

from __future__ import annotations

from tests.bot.archive.conftest import delivered
from tests.jobs.conftest import app

__all__ = ["app", "delivered"]
