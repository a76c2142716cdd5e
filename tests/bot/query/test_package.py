"""bot.query is a leaf package: it imports only the standard library, itself and nameparser
(the one well-kept library it uses, for person names in `author:`)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import bot.query

PACKAGE_DIR = Path(bot.query.__file__).parent
ALLOWED = frozenset({"nameparser"})


def imported_modules(path: Path) -> set[str]:
    """Top-level module names imported by a source file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_stdlib_and_own_package_imports() -> None:
    files = sorted(PACKAGE_DIR.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            own = name == "bot.query" or name.startswith("bot.query.")
            allowed = top in sys.stdlib_module_names or top in ALLOWED
            assert own or allowed, f"{path.name} imports {name}"


def test_public_api_is_documented() -> None:
    for name in bot.query.__all__:
        obj = getattr(bot.query, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
