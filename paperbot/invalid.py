"""The error for settings that are each valid but cannot run together."""

from __future__ import annotations


class InvalidSettings(Exception):
    """Settings that are valid one by one but cannot run together (said in one line)."""
