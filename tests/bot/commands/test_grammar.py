"""The command grammar: every command parses, bad input says what is wrong and how to use it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.grammar import Command, CommandError
from bot.commands.registry import parse as parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/subscribe cat:cs.CL agents", Command("subscribe", ("cat:cs.CL agents",))),
        ('subscribe   author:"Percy Liang"', Command("subscribe", ('author:"Percy Liang"',))),
        ("/subscribe@paper_bot RAG", Command("subscribe", ("RAG",))),
        ("/unsubscribe 2", Command("unsubscribe", (2,))),
        ("/unsubscribe 3, 1 3", Command("unsubscribe", (1, 3))),
        ("/unsubscribe ALL", Command("unsubscribe", ("all",))),
        ("/topics", Command("topics", ())),
        ("/time 8:05", Command("time", ("08:05", None))),
        ("/time 07:30 Europe/Berlin", Command("time", ("07:30", "Europe/Berlin"))),
        ("/language zh", Command("language", ("zh",))),
        ("/language pt-BR", Command("language", ("pt-br",))),
        ("/size 25", Command("size", (25,))),
        ("/pause", Command("pause", ())),
        ("/resume", Command("resume", ())),
        ("/digest", Command("digest", ("now",))),
        ("/digest preview", Command("digest", ("preview",))),
        ("/quiet off", Command("quiet", ("off",))),
        ("/sources", Command("sources", ())),
        ("/help", Command("help", ())),
        ("/help subscribe", Command("help", ("subscribe",))),
        (
            "/ask 2504.17830 what data do they use?",
            Command("ask", ("2504.17830", "what data do they use?")),
        ),
    ],
)
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "usage"),
    [
        ("/subscribe", "needs a topic query", "subscribe <query>"),
        ("/unsubscribe two", "expects topic numbers", "unsubscribe <n|all>"),
        ("/unsubscribe 0", "expects topic numbers", "unsubscribe <n|all>"),
        ("/time 25:00", "'25:00' is not a time of day", "time <HH:MM> [timezone]"),
        ("/time 08:00 Mars/Base", "unknown timezone 'Mars/Base'", "time <HH:MM> [timezone]"),
        ("/time", "expects a time", "time <HH:MM> [timezone]"),
        ("/language english please", "expects a language code", "language <code>"),
        ("/size 0", "from 1 to 50", "size <n>"),
        ("/size 51", "from 1 to 50", "size <n>"),
        ("/size ten", "from 1 to 50", "size <n>"),
        ("/digest tomorrow", "expects one of now, preview", "digest [now|preview]"),
        ("/pause now", "takes no arguments", "pause"),
        ("/ask 2504.17830", "needs a paper", "ask <arxiv id|DOI|n> <question>"),
    ],
)
def test_bad_input_names_the_problem_and_the_usage(text: str, message: str, usage: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert message in caught.value.message
    assert caught.value.usage == usage
    assert f"Usage: `{usage}`" in str(caught.value)


def test_unknown_and_empty_commands() -> None:
    with pytest.raises(CommandError, match="Unknown command `frobnicate`"):
        parse_command("/frobnicate now")
    with pytest.raises(CommandError, match="Empty command"):
        parse_command("/")


@given(st.text(max_size=200))
def test_any_text_is_a_command_or_a_clear_error(text: str) -> None:
    try:
        command = parse_command(text)
    except CommandError as error:
        assert error.message
    else:
        assert isinstance(command, Command)


def test_days_command_takes_day_names() -> None:
    assert parse_command("/days sun-thu") == Command("days", ("sun-thu",))
    assert parse_command("/days Mon, Wed") == Command("days", ("mon,wed",))
    with pytest.raises(CommandError, match="expects day names"):
        parse_command("/days 1-5")
