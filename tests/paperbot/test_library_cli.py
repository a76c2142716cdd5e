"""`paperbot library import --channel ID FILE` against loopback arXiv API and Crossref."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.models import Channel
from bot.store.db import Database
from bot.store.library import library_papers
from paperbot.library_cli import library_import
from tests.botharness import bot_settings
from tests.conftest import FIXTURES
from tests.fakes.crossref import serve_crossref
from tests.fakes.http_server import FakeHttpServer, Reply

TWO = FIXTURES / "arxiv_api" / "arxiv_api_recorded_idlist-0808.05394-and-1707.08567_2026-04-12.json"
BIB = """@article{a, title={Proceedings of Workshop AEW10}, eprint={1707.08567}}
@article{b, title={Lit reviews}, doi={10.17705/1cais.04607}}
@book{c, title={No identifier}}
"""


async def test_import_bibtex_looks_up_and_adds(
    tmp_path: Path, http_server: FakeHttpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = json.loads(TWO.read_text())
    http_server.route("/api/query", Reply(recorded["body"], content_type="application/atom+xml"))
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    settings = bot_settings(
        database_url=url,
        arxiv_api_url=f"{http_server.url}/api/query",
        crossref_api_url=serve_crossref(http_server),
    )
    db = Database.open(url)
    await db.migrate()
    async with db.session() as s:
        channel = Channel(platform="console", channel="c")
        s.add(channel)
    (tmp_path / "lib.bib").write_text(BIB)
    args = argparse.Namespace(channel=channel.id, file=tmp_path / "lib.bib")
    assert await library_import(settings, args) == 0
    out = capsys.readouterr().out
    assert "Read 2 references from lib.bib; added 2 papers" in out
    assert "skipped (no arXiv id or DOI): No identifier" in out
    async with db.session() as s:
        titles = [p.title for p in await library_papers(s, channel.id or 0)]
    assert any(t.startswith("A Knowledge Development") for t in titles)
    missing = argparse.Namespace(channel=999, file=tmp_path / "lib.bib")
    assert await library_import(settings, missing) == 2
    await db.close()
