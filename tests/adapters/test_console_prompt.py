"""The interactive console's line editor, driven through a prompt_toolkit pipe input."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from adapters.console_prompt import command_completer, prompt_lines

UP = "\x1b[A"


def completions(text: str) -> list[str]:
    found = command_completer().get_completions(Document(text), CompleteEvent())
    return [c.text for c in found]


def test_the_first_word_completes_to_a_command() -> None:
    assert completions("/subs") == ["/subscribe"]
    assert "/digest" in completions("/d") and "/days" in completions("/d")
    assert completions("/nothing-like-it") == []


async def test_history_recalls_the_last_line_and_lives_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history"
    with create_pipe_input() as pipe:
        lines = prompt_lines("> ", input=pipe, output=DummyOutput(), history_path=path)
        pipe.send_text("/topics\r")
        assert await anext(lines) == "/topics"
        pipe.send_text(UP + "\r")  # the up arrow brings the last line back
        assert await anext(lines) == "/topics"
        pipe.send_text("/size 30\x1b[D\x7f4\r")  # a left arrow and backspace edit the line
        assert await anext(lines) == "/size 40"
        pipe.send_text("\x04")  # Ctrl-D ends the session
        assert [line async for line in lines] == []
    assert "/topics" in path.read_text()
