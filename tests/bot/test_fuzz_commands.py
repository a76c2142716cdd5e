"""Hypothesis drives the core with hostile commands, questions and button presses.

The alphabet is the one that found the crashes of issue 23: lone surrogates, NUL, control
characters, deep nesting, huge numbers, FTS5 and tsquery operators. On SQLite and Postgres,
nothing may reach the core's catch-all ("command failed"/"question failed"), every reply must
be sendable (valid UTF-8) and an error reply must stay short. The example database is kept in
the repository (tests/hypothesis-examples), so every crash found once is replayed forever.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

from bot.app import create_app
from bot.commands.registry import SPECS
from bot.messages import Conversation, IncomingAction, IncomingMessage
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.papers import upsert_papers
from tests.botharness import bot_settings
from tests.conftest import FIXTURES
from tests.databases import POSTGRES_URL_ENV, postgres_database, postgres_url, sqlite_database
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

KEPT = Path(__file__).parents[1] / "hypothesis-examples"  # committed: found crashes replay
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
NOW = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)
CRASH_EVENTS = {"command failed", "question failed"}
MAX_ERROR_REPLY = 1200
EXAMPLES_PER_DB = int(os.environ.get("PAPERBOT_FUZZ_EXAMPLES", "300"))

ATOMS = st.sampled_from([
    "\x00", "\ud800", "\udfff", "\udc80x", "\x1b[31m", "\r", "\n", "\t", "\x07", "\x7f",
    "\u202e", "\ufeff", "(", ")", '"', "'", "*", ":*", "&", "|", "!", "<->", "<2>", "^",
    "NEAR(", "NEAR/3", "OR", "AND", "NOT", "-", "+", "{", "}", "\\", ";", "%", "_", ",",
    "cat:", "author:", "feed:", "feed:http://127.0.0.1:1/x", "since:", "since:99999999d",
    "title:", "abs:", "source:", "subject:", "arXiv:", "10.1101/", "2504.18163", "doi:",
    "https://arxiv.org/abs/2504.18163", "all", "now", "preview", "on", "off", "mon-fri",
    "25:99", "Europe/Berlin", "../../etc/passwd", "@paperbot",
])  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-5, 60).map(str),
    st.integers(4300, 6000).map(lambda n: "1" * n),
    st.just("9" * 400),
    st.just("1e999"),
)
NESTING = st.integers(1, 700).map(lambda n: "(" * n + "x" + ")" * n)
UNBALANCED = st.integers(1, 700).map(lambda n: "(" * n)
TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12)
PIECE = st.one_of(ATOMS, NUMBERS, NESTING, UNBALANCED, TEXT)
ARGS = st.lists(PIECE, max_size=8).flatmap(
    lambda parts: st.sampled_from([" ", "", "\x00"]).map(lambda sep: sep.join(parts))
)
NAMES = st.sampled_from([spec.name for spec in SPECS] + ["", "xyz", "DIGEST", "like@bot"])
LINES = st.one_of(
    st.tuples(st.sampled_from(["/", "", " /"]), NAMES, ARGS).map(lambda t: f"{t[0]}{t[1]} {t[2]}"),
    st.tuples(st.sampled_from([">", "> "]), NUMBERS, ARGS).map(lambda t: f"{t[0]}{t[1]} {t[2]}"),
    ARGS,
)
ACTIONS = st.sampled_from(["like", "dislike", "review", "more", "ask", "bogus", ""])
CHANNELS = st.sampled_from(["C1", "C2", "\x00", "\ud800"])
THREADS = st.one_of(st.none(), st.sampled_from(["m1", "m2", "999", "\x00"]), TEXT)
EVENTS = st.one_of(
    st.tuples(st.just("command"), CHANNELS, LINES, st.booleans()),
    st.tuples(st.just("question"), CHANNELS, ARGS, THREADS),
    st.tuples(st.just("action"), CHANNELS, ACTIONS, ARGS),
)


def example_database() -> ExampleDatabase:
    """The committed examples, read-only unless PAPERBOT_FUZZ_RECORD=1 (then new finds go in).

    Hypothesis deletes a saved example once it passes; read-only keeps the fixed crashes as
    regression cases. New finds of an ordinary run go to the local .hypothesis directory.
    """
    kept = DirectoryBasedExampleDatabase(KEPT)
    if os.environ.get("PAPERBOT_FUZZ_RECORD") == "1":
        return kept
    local = DirectoryBasedExampleDatabase(Path(".hypothesis") / "examples")
    return MultiplexedDatabase(ReadOnlyDatabase(kept), local)


# the crashes issue 23 reported, one of each kind
REPORTED = [
    ("command", "C1", "subscribe " + "(" * 249 + "x" + ")" * 249, True),
    ("command", "C1", "like \x00", True),
    ("command", "C1", "more 2504.\x0018163", True),
    ("command", "C1", "ask \x00 what?", True),
    ("command", "C1", "review 1\x00", True),
    ("command", "C1", "subscribe agents\x00", True),
    ("command", "C1", "search \ud800", True),
    ("command", "\ud800", "topics", True),
    ("command", "C1", "like " + "1" * 4301, True),
    ("command", "C1", ">" + "1" * 5000 + " why?", True),
    ("command", "C1", "days " + "x" * 100_000, True),
    ("question", "C1", "what about \x00?", "m1"),
    ("action", "C1", "like", "\udfff"),
]


@dataclass
class Tally:
    """What the fuzzer tried and what broke."""

    tried: int = 0
    crashes: list[str] = field(default_factory=list)


@contextmanager
def crash_log(tally: Tally, what: str) -> Iterator[None]:
    """Count an event that reached the core's catch-all (or escaped it) as a crash."""
    with structlog.testing.capture_logs() as logs:
        try:
            yield
        except Exception as error:  # escaped the core entirely
            tally.crashes.append(f"{what!r}: {error!r}")
            return
    tally.crashes += [f"{what!r}: {e.get('event')}" for e in logs if e["event"] in CRASH_EVENTS]


def check_replies(tally: Tally, what: str, sender: RecordingSender) -> None:
    """Every reply is valid UTF-8; an error reply is short."""
    for message in sender.sent:
        try:
            message.text.encode("utf-8")
        except UnicodeEncodeError:
            tally.crashes.append(f"{what!r}: unsendable reply")
        if message.kind == "error" and len(message.text) > MAX_ERROR_REPLY:
            tally.crashes.append(f"{what!r}: {len(message.text)}-character error reply")


async def drive(app: object, event: tuple[object, ...], tally: Tally) -> None:
    """Send one generated event to the core."""
    bot = app.bot  # type: ignore[attr-defined]
    sender = RecordingSender()
    kind, channel = str(event[0]), str(event[1])
    conversation = Conversation("slack", channel, "T1")
    with crash_log(tally, event):
        if kind == "command":
            text, admin = str(event[2]), bool(event[3])
            await bot.handle(IncomingMessage(conversation, text, "U1", admin), sender)
        elif kind == "question":
            thread = event[3] if isinstance(event[3], str) else None
            question = IncomingMessage(conversation.in_thread(thread), str(event[2]), "U1")
            await bot.handle_question(question, sender)
        else:
            action = IncomingAction(conversation.in_thread("m1"), str(event[2]), str(event[3]))
            await bot.handle_action(action, sender)
    tally.tried += 1
    check_replies(tally, event, sender)


async def start(stack: AsyncExitStack, database: str, tmp: Path) -> object:
    """A bot on a seeded database whose sources are a loopback fake."""
    server = FakeHttpServer()
    server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    await server.start()
    stack.push_async_callback(server.stop)
    if database == "sqlite":
        db, _ = await stack.enter_async_context(sqlite_database(tmp))
    else:
        db, _ = await stack.enter_async_context(postgres_database(str(postgres_url())))
    base = server.url
    config = bot_settings(
        arxiv_rss_url=f"{base}/rss/", arxiv_api_url=f"{base}/api/query",
        biorxiv_api_url=f"{base}/biorxiv", http_retries=1, llm_base_url="", llm_model="",
        digest_now_interval=60,
    )  # fmt: skip
    papers = [replace(p, announced_on=NOW.date()) for p in parse_arxiv_feed(
        QUANT_PH.read_bytes(), "seed").papers]  # fmt: skip
    async with db.session() as session:
        await upsert_papers(session, papers)
    app = await create_app(config, clock=lambda: NOW, db=db)
    stack.push_async_callback(app.summaries.aclose)
    stack.push_async_callback(app.http.aclose)
    sender = RecordingSender()
    channel = Conversation("slack", "C1", "T1")
    for line in ("subscribe cat:quant-ph entanglement", "digest now"):
        await app.bot.handle(IncomingMessage(channel, line, "U1"), sender)
    return app


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def need(database: str) -> None:
    """Skip (or, under CI, fail) the Postgres variant without PAPERBOT_TEST_POSTGRES_URL."""
    if database == "postgres" and postgres_url() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the Postgres suite must run, but {POSTGRES_URL_ENV} is unset")
        pytest.skip(f"Postgres suite skipped: {POSTGRES_URL_ENV} is not set")


@pytest.mark.parametrize("database", DATABASES)
def test_reported_crashes_get_clear_errors(database: str, tmp_path: Path) -> None:
    need(database)
    tally = Tally()
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        app = runner.run(start(stack, database, tmp_path))
        try:
            for event in REPORTED:
                runner.run(drive(app, event, tally))
        finally:
            runner.run(stack.aclose())
    assert tally.tried == len(REPORTED) and tally.crashes == []


@pytest.mark.parametrize("database", DATABASES)
def test_generated_commands_never_crash(database: str, tmp_path: Path) -> None:
    need(database)
    tally = Tally()
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        app = runner.run(start(stack, database, tmp_path))
        try:

            @settings(
                max_examples=EXAMPLES_PER_DB, deadline=None, database=example_database(),
                suppress_health_check=list(HealthCheck), derandomize=False,
            )  # fmt: skip
            @given(st.lists(EVENTS, min_size=1, max_size=4))
            def fuzz(events: list[tuple[object, ...]]) -> None:
                before = len(tally.crashes)
                for event in events:
                    runner.run(drive(app, event, tally))
                assert len(tally.crashes) == before, tally.crashes[before:][:3]

            fuzz()
        finally:
            runner.run(stack.aclose())
            print(f"\nfuzz {database}: {tally.tried} commands tried, {len(tally.crashes)} crashes")
    assert tally.tried >= EXAMPLES_PER_DB and not tally.crashes
