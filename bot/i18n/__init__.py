"""The digest's own labels in the channel's language, from one JSON catalog per language."""

from __future__ import annotations

import json
from pathlib import Path

CATALOGS = Path(__file__).parent


def _load() -> dict[str, dict[str, str]]:
    """Every shipped catalog, by language code (the file name)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(CATALOGS.glob("*.json"))
    }


LABELS: dict[str, dict[str, str]] = _load()
HELP: dict[str, dict[str, str]] = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((CATALOGS / "help").glob("*.json"))
}  # the help text in other languages than English (English lives with the commands)
SUPPORTED: tuple[str, ...] = tuple(sorted(LABELS))


def base_language(code: str) -> str:
    """The catalog a code uses: `pt-BR` → `pt`, `zh_CN` → `zh`."""
    return code.lower().replace("_", "-").split("-", 1)[0]


def is_supported(code: str) -> bool:
    """Whether labels exist for the code's language."""
    return base_language(code) in LABELS


def labels(language: str) -> dict[str, str]:
    """The label set for a language code; English for any key a catalog lacks."""
    found = LABELS.get(base_language(language), LABELS["en"])
    return found if found is LABELS["en"] else LABELS["en"] | found


def help_labels(language: str) -> dict[str, str]:
    """The help text's translations for a language code (empty: use the English)."""
    return HELP.get(base_language(language), {})
