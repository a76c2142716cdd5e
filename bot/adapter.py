"""The contract between the core and a chat adapter (documented in adapters/README.md).

An adapter is built by name from an `AdapterContext` and offers a `Sender` for its platform;
`paperbot run` starts every adapter ADAPTERS names on one asyncio loop. Incoming traffic goes
to `context.bot` (`handle`, `handle_action`, `channel_membership`); outgoing posts come to the
adapter's sender as posts (bot/posts.py), which it renders for its platform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pydantic_settings import SettingsConfigDict

from bot.messages import Sender

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core import PaperBot
    from bot.store.db import Database
    from bot.store.keys import RequestKeys


class Adapter(Protocol):
    """What `paperbot run` needs of a chat adapter."""

    @property
    def sender(self) -> Sender:
        """Posts to any conversation of the adapter's platform."""
        ...

    async def start(self) -> None:
        """Connect and start receiving (without blocking)."""
        ...

    async def stop(self) -> None:
        """Disconnect."""
        ...


def serves_http(adapter: object) -> bool:
    """Does the adapter serve the core's routes on the `--http` port (so nothing else may)?"""
    return bool(getattr(adapter, "serves_http", False))


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter is built from: the core, its store and how the process serves HTTP."""

    settings: Settings
    bot: PaperBot
    db: Database
    keys: RequestKeys  # events and requests already taken, shared by replicas
    http: bool = False  # `paperbot run --http`
    port: int = 3000
    routes: Sequence[Any] = field(default_factory=tuple)  # the core's HTTP routes (aiohttp)


AdapterBuilder = Callable[[AdapterContext], Adapter]


def settings_config(prefix: str) -> SettingsConfigDict:
    """An adapter settings class's config: its prefix, from the environment and `.env`."""
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore",
        case_sensitive=False,
    )  # fmt: skip


class AdapterSettingsError(ValueError):
    """An adapter's settings cannot run it (said in one line, without secrets)."""
