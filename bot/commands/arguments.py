"""Argument parsers of the commands: each turns the text after a command's name into its
arguments, or raises ValueError saying what is wrong (the grammar adds the usage line)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.followups.kinds import SWITCHABLE
from bot.i18n import SUPPORTED, base_language
from bot.inbound import shown
from bot.schedule import DAY_NAMES, parse_days
from bot.summary.prompts import LANGUAGE_NAMES

MAX_DIGEST_SIZE = 50
# labels ship for SUPPORTED; an LLM also writes summaries in the other named languages
KNOWN_LANGUAGES = frozenset(SUPPORTED) | {base_language(code) for code in LANGUAGE_NAMES}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", re.IGNORECASE)
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
ZOTERO_KEY = re.compile(r"^[A-Z0-9]{8}$")  # a Zotero collection key


def no_args(rest: str) -> tuple[Any, ...]:
    if rest:
        raise ValueError(f"takes no arguments, got '{shown(rest)}'")
    return ()


def topic_query(rest: str) -> tuple[Any, ...]:
    if not rest:
        raise ValueError("needs a topic query")
    return (rest,)


def topic_numbers(rest: str) -> tuple[Any, ...]:
    if rest.lower() == "all":
        return ("all",)
    parts = [p for p in re.split(r"[,\s]+", rest) if p]
    if not parts or not all(p.isdigit() and len(p) <= 6 and int(p) > 0 for p in parts):
        raise ValueError(
            f"expects topic numbers (as `topics` shows them) or `all`, got '{shown(rest)}'"
        )
    return tuple(sorted({int(p) for p in parts}))


def clock_time(rest: str) -> tuple[Any, ...]:
    parts = rest.split()
    if not parts or len(parts) > 2:
        raise ValueError("expects a time like 08:00 and optionally a timezone")
    match = TIME_RE.match(parts[0])
    if not match:
        raise ValueError(f"'{shown(parts[0])}' is not a time of day (HH:MM, 24-hour)")
    tz = parts[1] if len(parts) == 2 else None
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone '{shown(tz)}' (use an IANA name like Europe/Berlin)"
            ) from None
    return (f"{int(match[1]):02d}:{match[2]}", tz)


def day_list(rest: str) -> tuple[Any, ...]:
    try:
        parse_days(rest)
    except ValueError:
        raise ValueError(
            f"expects day names like mon-fri, sun-thu, mon,wed,fri or daily, got '{shown(rest)}'"
        ) from None
    return (rest.lower().replace(" ", ""),)


def language_code(rest: str) -> tuple[Any, ...]:
    if not LANGUAGE_RE.match(rest):
        raise ValueError(f"expects a language code like en, zh or pt-BR, got '{shown(rest)}'")
    if base_language(rest) not in KNOWN_LANGUAGES:
        raise ValueError(
            f"does not know the language '{shown(rest)}'; "
            f"supported: {', '.join(sorted(KNOWN_LANGUAGES))}"
        )
    return (rest.lower(),)


def digest_size(rest: str) -> tuple[Any, ...]:
    if not rest.isdigit() or len(rest) > 3 or not 1 <= int(rest) <= MAX_DIGEST_SIZE:
        raise ValueError(
            f"expects a number of papers from 1 to {MAX_DIGEST_SIZE}, got '{shown(rest)}'"
        )
    return (int(rest),)


def choice(*options: str, default: str | None = None) -> Callable[[str], tuple[Any, ...]]:
    def parse(rest: str) -> tuple[Any, ...]:
        value = rest.lower() or default
        if value not in options:
            raise ValueError(f"expects one of {', '.join(options)}, got '{shown(rest)}'")
        return (value,)

    return parse


def weekly_args(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().split()
    if not 1 <= len(parts) <= 2 or parts[0] not in ("on", "off"):
        raise ValueError(f"expects on or off, and optionally a day like mon, got '{shown(rest)}'")
    day = parts[1] if len(parts) == 2 else None
    if day is not None and (parts[0] == "off" or day not in DAY_NAMES):
        raise ValueError(f"takes a day name ({', '.join(DAY_NAMES)}) after on, got '{shown(rest)}'")
    return (parts[0], day)


def followup_args(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().replace(",", " ").split()
    if not parts or parts[0] not in ("on", "off"):
        raise ValueError(f"expects on or off, then optionally kinds, got '{shown(rest)}'")
    unknown = [k for k in parts[1:] if k not in SWITCHABLE]
    if unknown:
        raise ValueError(
            f"knows the kinds {', '.join(SWITCHABLE)} (withdrawals are always said), "
            f"got '{shown(' '.join(unknown))}'"
        )
    return (parts[0], tuple(dict.fromkeys(parts[1:])) or SWITCHABLE)


def ask_args(rest: str) -> tuple[Any, ...]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        raise ValueError("needs a paper (arXiv id, DOI or digest number) and a question")
    return (parts[0], parts[1])


def paper_ref(rest: str) -> tuple[Any, ...]:
    if not rest or len(rest.split()) != 1:
        raise ValueError("needs one paper: a digest number, an arXiv id or a DOI")
    return (rest,)


def rank_args(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().split()
    if (
        not parts
        or parts[0] != "impact"
        or len(parts) > 2
        or parts[1:] not in ([], ["week"], ["today"])
    ):
        raise ValueError(f"expects impact, then optionally week or today, got '{shown(rest)}'")
    return (parts[1] if len(parts) == 2 else "week",)


def library_args(rest: str) -> tuple[Any, ...]:
    word, _, tail = rest.partition(" ")
    action, tail = (word.lower() or "list"), tail.strip()
    if action not in ("list", "add", "remove", "clear", "sync"):
        raise ValueError(
            f"expects add, remove, clear or sync (or nothing, to list), got '{shown(word)}'"
        )
    if action == "sync" and tail:
        if not ZOTERO_KEY.fullmatch(tail.upper()):
            raise ValueError(
                f"sync takes a Zotero collection key (8 letters or digits), got '{shown(tail)}'"
            )
        tail = tail.upper()
    if action == "add" and not tail:
        raise ValueError("add needs arXiv ids, DOIs or paper URLs")
    if action == "remove" and len(tail.split()) != 1:
        raise ValueError("remove needs one paper: its number in `library` or its id")
    if action in ("list", "clear") and tail:
        raise ValueError(f"{action} takes nothing after it, got '{shown(tail)}'")
    return (action, tail)


def min_score(rest: str) -> tuple[Any, ...]:
    if not rest.isdigit() or not 0 <= int(rest) <= 100:
        raise ValueError(f"expects a relevance from 0 (off) to 100, got '{shown(rest)}'")
    return (int(rest),)


def optional_word(rest: str) -> tuple[Any, ...]:
    return (rest,) if rest else ()
