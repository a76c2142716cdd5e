"""Parsing a command line (`subscribe …`, `time 08:00 Europe/Berlin`, …) into a Command.

The commands themselves are declared in `bot.commands.registry`; their argument parsers
are in `bot.commands.arguments`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.inbound import shown


class CommandError(ValueError):
    """A command that could not be understood: what is wrong, and the usage line."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def __str__(self) -> str:
        return f"{self.message}\nUsage: `{self.usage}`" if self.usage else self.message


@dataclass(frozen=True)
class Command:
    """A parsed command: its name and its validated arguments."""

    name: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CommandSpec:
    """One command of the grammar: usage line, help text, who may run it, argument parser."""

    name: str
    usage: str
    help: str
    admin: bool
    parse: Callable[[str], tuple[Any, ...]]
    handler: Callable[..., Awaitable[None]]
    button: str = ""  # the Button.action that runs this command on a paper ("like", …)


def command_word(text: str) -> str:
    """The command a line names: `/Digest@paperbot now` → "digest" ("" for none)."""
    word = text.strip().lstrip("/").split(maxsplit=1)
    return word[0].split("@", 1)[0].lower() if word else ""


def parse_command(text: str, commands: Mapping[str, CommandSpec]) -> Command:
    """Parse `[/]name[@bot] args…` into a Command, or raise CommandError with the usage."""
    line = text.strip()
    if line.startswith("/"):
        line = line[1:]
    if not line:
        raise CommandError("Empty command. Try `help`.")
    word, _, rest = line.partition(" ")
    name = word.split("@", 1)[0].lower()
    spec = commands.get(name)
    if spec is None:
        raise CommandError(f"Unknown command `{shown(name, 40)}`. Try `help` to see the commands.")
    try:
        return Command(name, spec.parse(rest.strip()))
    except ValueError as exc:
        raise CommandError(f"`{name}` {exc}.", spec.usage) from exc
