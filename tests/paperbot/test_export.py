"""`paperbot export`: one channel's page to a file or stdout, the whole archive, clear errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from bot.models import Channel
from bot.store.db import Database
from paperbot.cli import build_parser
from paperbot.export import export
from tests.bot.archive.conftest import delivered
from tests.bot.archive.test_export import assert_inert, check_structure
from tests.botharness import bot_settings
from tests.jobs.conftest import PlatformRecorder

__all__ = ["delivered"]


def run(db: Database, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(["export", *argv])
    url = db.engine.url.render_as_string(hide_password=False)
    return export(bot_settings(database_url=url), args)  # type: ignore[return-value]


# The CLI opens the database by URL, and a Postgres test schema is not in a URL: these CLI
# tests run on SQLite (the export itself runs on both through the archive tests).
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_one_channel_day_as_html_and_markdown(
    db: Database, delivered: tuple[Channel, PlatformRecorder], tmp_path: Path
) -> None:
    channel, _ = delivered
    out = tmp_path / "lab.html"
    assert await run(db, "--channel", str(channel.id), "--date", "2025-04-28", "--format",
                     "html", "--out", str(out)) == 0  # fmt: skip
    tree = HTMLParser(out.read_text())
    assert len(check_structure(tree)) == 10
    md = tmp_path / "lab.md"
    assert await run(db, "--channel", "test:lab", "--week", "2025-W18", "--format", "md",
                     "--out", str(md)) == 0  # fmt: skip
    assert md.read_text().count("<details>") == 10


@SQLITE_ONLY
async def test_all_writes_an_index_and_a_page_per_channel_per_day(
    db: Database, delivered: tuple[Channel, PlatformRecorder], tmp_path: Path
) -> None:
    channel, _ = delivered
    assert await run(db, "--all", "--out", str(tmp_path / "site")) == 0
    index = HTMLParser((tmp_path / "site" / "index.html").read_text())
    assert_inert(index)
    links = [a.attributes["href"] for a in index.css("a")]
    assert links == [f"{channel.id}-test-lab/2025-04-28.html"]
    day = tmp_path / "site" / str(links[0])
    tree = HTMLParser(day.read_text())
    assert len(check_structure(tree)) == 10
    back = tree.css_first("header a").attributes["href"]
    assert (day.parent / str(back)).resolve() == (tmp_path / "site" / "index.html").resolve()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--channel", "999", "--date", "2025-04-28"], "unknown channel '999'"),
        (["--channel", "slack:nowhere"], "unknown channel"),
        (["--channel", "1", "--date", "28.04.2025"], "is not a date"),
        (["--channel", "1", "--week", "2025-W60"], "is not an ISO week"),
        ([], "give --channel"),
        (["--all"], "--out DIR"),
    ],
)
@SQLITE_ONLY
async def test_errors_are_clear_and_exit_2(
    db: Database, argv: list[str], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert await run(db, *argv) == 2
    assert message in capsys.readouterr().err


@SQLITE_ONLY
async def test_the_channel_s_feed_as_atom_or_json_to_a_file(
    db: Database, delivered: tuple[Channel, PlatformRecorder], tmp_path: Path
) -> None:
    import json

    import feedparser

    channel, _ = delivered
    atom, as_json = tmp_path / "lab.atom", tmp_path / "lab.json"
    assert await run(db, "--channel", "test:lab", "--week", "2025-W18", "--format", "atom",
                     "--out", str(atom)) == 0  # fmt: skip
    assert await run(db, "--channel", str(channel.id), "--date", "2025-04-28", "--format",
                     "json", "--out", str(as_json)) == 0  # fmt: skip
    parsed = feedparser.parse(atom.read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 10
    assert parsed.feed.id == "urn:paperbot:test:lab:atom"
    assert len(json.loads(as_json.read_text())["items"]) == 10
