"""Parsing a command line (`subscribe …`, `time 08:00 Europe/Berlin`, …) into a Command."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def _no_args(rest: str) -> tuple[Any, ...]:
    if rest:
        raise ValueError(f"takes no arguments, got '{shown(rest)}'")
    return ()


def _query(rest: str) -> tuple[Any, ...]:
    if not rest:
        raise ValueError("needs a topic query")
    return (rest,)


def _numbers(rest: str) -> tuple[Any, ...]:
    if rest.lower() == "all":
        return ("all",)
    parts = [p for p in re.split(r"[,\s]+", rest) if p]
    if not parts or not all(p.isdigit() and len(p) <= 6 and int(p) > 0 for p in parts):
        raise ValueError(
            f"expects topic numbers (as `topics` shows them) or `all`, got '{shown(rest)}'"
        )
    return tuple(sorted({int(p) for p in parts}))


def _time(rest: str) -> tuple[Any, ...]:
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


def _days(rest: str) -> tuple[Any, ...]:
    try:
        parse_days(rest)
    except ValueError:
        raise ValueError(
            f"expects day names like mon-fri, sun-thu, mon,wed,fri or daily, got '{shown(rest)}'"
        ) from None
    return (rest.lower().replace(" ", ""),)


def _language(rest: str) -> tuple[Any, ...]:
    if not LANGUAGE_RE.match(rest):
        raise ValueError(f"expects a language code like en, zh or pt-BR, got '{shown(rest)}'")
    if base_language(rest) not in KNOWN_LANGUAGES:
        raise ValueError(
            f"does not know the language '{shown(rest)}'; "
            f"supported: {', '.join(sorted(KNOWN_LANGUAGES))}"
        )
    return (rest.lower(),)


def _size(rest: str) -> tuple[Any, ...]:
    if not rest.isdigit() or len(rest) > 3 or not 1 <= int(rest) <= MAX_DIGEST_SIZE:
        raise ValueError(
            f"expects a number of papers from 1 to {MAX_DIGEST_SIZE}, got '{shown(rest)}'"
        )
    return (int(rest),)


def _choice(*options: str, default: str | None = None) -> Callable[[str], tuple[Any, ...]]:
    def parse(rest: str) -> tuple[Any, ...]:
        value = rest.lower() or default
        if value not in options:
            raise ValueError(f"expects one of {', '.join(options)}, got '{shown(rest)}'")
        return (value,)

    return parse


def _weekly(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().split()
    if not 1 <= len(parts) <= 2 or parts[0] not in ("on", "off"):
        raise ValueError(f"expects on or off, and optionally a day like mon, got '{shown(rest)}'")
    day = parts[1] if len(parts) == 2 else None
    if day is not None and (parts[0] == "off" or day not in DAY_NAMES):
        raise ValueError(f"takes a day name ({', '.join(DAY_NAMES)}) after on, got '{shown(rest)}'")
    return (parts[0], day)


FOLLOWUP_KINDS = ("version", "code", "published")  # withdrawals are always said


def _followups(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().replace(",", " ").split()
    if not parts or parts[0] not in ("on", "off"):
        raise ValueError(f"expects on or off, then optionally kinds, got '{shown(rest)}'")
    unknown = [k for k in parts[1:] if k not in FOLLOWUP_KINDS]
    if unknown:
        raise ValueError(
            f"knows the kinds {', '.join(FOLLOWUP_KINDS)} (withdrawals are always said), "
            f"got '{shown(' '.join(unknown))}'"
        )
    return (parts[0], tuple(dict.fromkeys(parts[1:])) or FOLLOWUP_KINDS)


def _ask(rest: str) -> tuple[Any, ...]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        raise ValueError("needs a paper (arXiv id, DOI or digest number) and a question")
    return (parts[0], parts[1])


def _paper(rest: str) -> tuple[Any, ...]:
    if not rest or len(rest.split()) != 1:
        raise ValueError("needs one paper: a digest number, an arXiv id or a DOI")
    return (rest,)


def _rank(rest: str) -> tuple[Any, ...]:
    parts = rest.lower().split()
    if (
        not parts
        or parts[0] != "impact"
        or len(parts) > 2
        or parts[1:] not in ([], ["week"], ["today"])
    ):
        raise ValueError(f"expects impact, then optionally week or today, got '{shown(rest)}'")
    return (parts[1] if len(parts) == 2 else "week",)


def _library(rest: str) -> tuple[Any, ...]:
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


def _score(rest: str) -> tuple[Any, ...]:
    if not rest.isdigit() or not 0 <= int(rest) <= 100:
        raise ValueError(f"expects a relevance from 0 (off) to 100, got '{shown(rest)}'")
    return (int(rest),)


def _optional(rest: str) -> tuple[Any, ...]:
    return (rest,) if rest else ()


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("subscribe", "subscribe <query>", "follow a topic", True, _query),
    CommandSpec("unsubscribe", "unsubscribe <n|all>", "stop following topics", True, _numbers),
    CommandSpec("topics", "topics", "list this channel's topics and settings", False, _no_args),
    CommandSpec("time", "time <HH:MM> [timezone]", "set the digest time", True, _time),
    CommandSpec("days", "days <mon-fri|daily|…>", "set the digest days", True, _days),
    CommandSpec("language", "language <code>", "set the summaries' language", True, _language),
    CommandSpec("size", "size <n>", "set how many papers a digest shows", True, _size),
    CommandSpec("pause", "pause", "stop daily digests", True, _no_args),
    CommandSpec("resume", "resume", "restart daily digests", True, _no_args),
    CommandSpec(
        "digest",
        "digest [now|preview]",
        "post the digest now, or preview it",
        False,
        _choice("now", "preview", default="now"),
    ),
    CommandSpec(
        "quiet",
        "quiet on|off",
        "say nothing on days when nothing matched",
        True,
        _choice("on", "off"),
    ),
    CommandSpec(
        "replacements",
        "replacements on|off",
        "include new versions of papers",
        True,
        _choice("on", "off"),
    ),
    CommandSpec(
        "followups",
        "followups on|off [version|code|published]",
        "replies in a posted paper's thread when a new version, code or the published "
        "version appears (withdrawals are always said)",
        True,
        _followups,
    ),
    CommandSpec(
        "weekly",
        "weekly on|off [day]",
        "a weekly briefing on that day (default: the first digest day)",
        True,
        _weekly,
    ),
    CommandSpec("sources", "sources", "show the sources and their health", False, _no_args),
    CommandSpec("ask", "ask <arxiv id|DOI|n> <question>", "ask about a paper", False, _ask),
    CommandSpec(
        "review", "review <n|arxiv id|DOI>", "a referee's review (needs an LLM)", False, _paper
    ),
    CommandSpec("like", "like <n|arxiv id|DOI>", "👍 a paper: more like it", False, _paper),
    CommandSpec("dislike", "dislike <n|arxiv id|DOI>", "👎 a paper: fewer like it", False, _paper),
    CommandSpec(
        "search",
        "search <query> [since:30d]",
        "search every stored paper (since: 30d, 2w, 6m, 1y or a date)",
        False,
        _query,
    ),
    CommandSpec("more", "more <n|arxiv id|DOI>", "5 stored papers like this one", False, _paper),
    CommandSpec(
        "rank",
        "rank impact [week|today]",
        "rank recent papers by pairwise LLM impact judgments (needs an LLM)",
        False,
        _rank,
    ),
    CommandSpec(
        "briefing",
        "briefing now",
        "the weekly briefing of the last 7 days, now",
        False,
        _choice("now", default="now"),
    ),
    CommandSpec(
        "feed",
        "feed [reset]",
        "this channel's papers as a private Atom / JSON feed; reset makes new links",
        False,
        _choice("show", "reset", default="show"),
    ),
    CommandSpec(
        "library",
        "library [add <ids…>|remove <n|id>|clear|sync [collection]]",
        "the channel's seed library (arXiv ids, DOIs, URLs, or the Zotero library with sync): "
        "digests rank by it",
        False,
        _library,
    ),
    CommandSpec(
        "min-score",
        "min-score <0-100>",
        "leave out papers under this relevance (0-100: how well a paper fits this channel, "
        "from its topic words and its closeness to the library and 👍 papers; 0: off)",
        True,
        _score,
    ),
    CommandSpec(
        "profile",
        "profile [reset]",
        "what the ranking learned (top terms, library size, votes); reset clears the votes",
        False,
        _choice("show", "reset", default="show"),
    ),
    CommandSpec("help", "help [command]", "show the commands", False, _optional),
)
BY_NAME = {spec.name: spec for spec in SPECS}
# admin-only in groups when DIGEST_NOW_ADMIN_ONLY is set (adapters ask who is an admin)
ADMIN_IN_GROUPS = frozenset({"digest"})


def parse_command(text: str) -> Command:
    """Parse `[/]name[@bot] args…` into a Command, or raise CommandError with the usage."""
    line = text.strip()
    if line.startswith("/"):
        line = line[1:]
    if not line:
        raise CommandError("Empty command. Try `help`.")
    word, _, rest = line.partition(" ")
    name = word.split("@", 1)[0].lower()
    spec = BY_NAME.get(name)
    if spec is None:
        raise CommandError(f"Unknown command `{shown(name, 40)}`. Try `help` to see the commands.")
    try:
        return Command(name, spec.parse(rest.strip()))
    except ValueError as exc:
        raise CommandError(f"`{name}` {exc}.", spec.usage) from exc
