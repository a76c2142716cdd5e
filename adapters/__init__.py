"""Platform adapters, registered by name; each translates a platform to the core and renders
the core's posts for it (the contract: bot/adapter.py, documented in adapters/README.md).

Built-in adapters are imported only when named in ADAPTERS. A third-party package adds one
with an entry point in the `paperbot.adapters` group naming its builder, a callable from an
`AdapterContext` to an adapter, e.g. `matrix = "paperbot_matrix:build"`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from bot.adapter import AdapterBuilder

ENTRY_POINTS = "paperbot.adapters"
CONSOLE = "console"  # the REPL on stdin/stdout: run by `paperbot run` itself, no builder
BUILT_IN = {
    "slack": "adapters.slack.app:build",
    "telegram": "adapters.telegram.app:build",
    "email": "adapters.email.app:build",
    "matrix": "adapters.matrix.app:build",
    "discord": "adapters.discord.app:build",
}


_REGISTERED: dict[str, AdapterBuilder] = {}  # registered in-process (embedding, tests)


def register(name: str, build: AdapterBuilder) -> None:
    """Register a builder under `name` in this process (a package uses an entry point)."""
    if name == CONSOLE or name in BUILT_IN:
        raise ValueError(f"{name!r} is a built-in adapter")
    _REGISTERED[name] = build


def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINTS)}


def known_adapters() -> tuple[str, ...]:
    """Every adapter name ADAPTERS may hold: the console, the built-in ones, the plugins."""
    extra = (set(_plugins()) | set(_REGISTERED)) - set(BUILT_IN)
    return (CONSOLE, *BUILT_IN, *sorted(extra))


def unknown_adapters(names: tuple[str, ...]) -> list[str]:
    """The names no adapter is registered under."""
    known = known_adapters()
    return [name for name in names if name not in known]


def builder(name: str) -> AdapterBuilder:
    """The builder registered under `name` (KeyError when there is none)."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    target = BUILT_IN.get(name) or _plugins()[name]
    module, _, attribute = target.partition(":")
    built: AdapterBuilder = getattr(importlib.import_module(module), attribute)
    return built
