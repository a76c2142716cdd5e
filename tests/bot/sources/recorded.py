"""Loaders for the recorded fixtures used by the source tests (never hand-written feeds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

ARXIV_RSS = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
ARXIV_API = FIXTURES / "arxiv_api"
BIORXIV_JSON = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"
JOURNAL_RSS = FIXTURES / "journal_rss"
BIORXIV_RSS = FIXTURES / "biorxiv"


def read(path: Path) -> bytes:
    """The recorded bytes of a fixture file."""
    return path.read_bytes()


def api_body(name: str) -> bytes:
    """The Atom body of a recorded arXiv API response (`.json` wrappers are unwrapped)."""
    path = ARXIV_API / name
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["body"].encode("utf-8")
    return path.read_bytes()


def api_status(name: str) -> int:
    """The HTTP status recorded with an arXiv API response."""
    return int(json.loads((ARXIV_API / name).read_text(encoding="utf-8"))["status_code"])


def biorxiv_page() -> dict[str, Any]:
    """A fresh copy of the recorded bioRxiv `details` page at cursor 0."""
    return json.loads(BIORXIV_JSON.read_text(encoding="utf-8"))
