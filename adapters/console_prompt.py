"""The interactive console's line editor (prompt_toolkit): editing, history and completion.

Only a terminal gets it; piped input is read as plain lines (adapters.console.read_lines).
History is kept in `~/.paperbot_history` when that file can be written, else in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from bot.commands.registry import SPECS

HISTORY = Path.home() / ".paperbot_history"


def command_completer() -> WordCompleter:
    """Completes the first word to a command name (`/sub` → `/subscribe`)."""
    words = [f"/{spec.name}" for spec in SPECS] + ["quit"]
    return WordCompleter(words, sentence=True, match_middle=False)


def history(path: Path | None = HISTORY) -> History:
    """The history file, or memory when it can't be written."""
    if path is not None:
        try:
            path.touch(exist_ok=True)
            return FileHistory(str(path))
        except OSError:
            pass
    return InMemoryHistory()


async def prompt_lines(
    prompt: str,
    *,
    input: Input | None = None,  # prompt_toolkit's name; tests pass a pipe
    output: Output | None = None,
    history_path: Path | None = HISTORY,
) -> AsyncIterator[str]:
    """Typed lines until Ctrl-D; Ctrl-C clears the line being typed."""
    session: PromptSession[str] = PromptSession(
        history=history(history_path), completer=command_completer(),
        complete_while_typing=False, input=input, output=output,
    )  # fmt: skip
    while True:
        try:
            yield await session.prompt_async(prompt)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return
