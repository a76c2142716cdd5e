"""The `paperbot` command itself, run as a process: piped console, fetch and --help."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
TIMEOUT = 60


async def run_paperbot(
    args: list[str], env: dict[str, str], stdin: bytes = b"", cwd: Path | None = None
) -> tuple[int, str, str]:
    """Run `python -m paperbot ARGS` with piped stdin; return (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paperbot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
        cwd=cwd,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def environment(tmp_path: Path, server: FakeHttpServer) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ARXIV_RSS_URL": f"{server.url}/rss/",
        "HTTP_RETRIES": "1",
    }


async def test_piped_console_prints_a_ranked_digest_and_exits_0(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    code, out, err = await run_paperbot(
        ["console"],
        environment(tmp_path, http_server),
        b"/subscribe cat:quant-ph qubits\n/digest now\n",
        cwd=tmp_path,
    )
    assert code == 0, err
    assert [r.path for r in http_server.requests] == ["/rss/quant-ph"]
    assert "=== Papers for 2025-04-28 ===" in out
    assert re.search(r"^--- [\w.-]+ \(\d+\) ---$", out, re.MULTILINE)
    numbers = [int(n) for n in re.findall(r"^\[(\d+)\] ", out, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3


async def test_fetch_prints_counts_per_source_and_category(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    env = environment(tmp_path, http_server)
    await run_paperbot(["console"], env, b"/subscribe cat:quant-ph\n", cwd=tmp_path)
    code, out, err = await run_paperbot(["fetch", "--date", "2025-04-28"], env, cwd=tmp_path)
    assert code == 0, err
    assert re.search(r"arxiv\s+ok\s+81 papers \(81 new\)", out)
    assert re.search(r"^\s+quant-ph\s+\d+$", out, re.MULTILINE)
    assert "total: 81 papers from 1 source URL(s)" in out


async def test_help_lists_every_command(tmp_path: Path) -> None:
    code, out, _ = await run_paperbot(["--help"], {}, cwd=tmp_path)
    assert code == 0
    for command in ("console", "fetch"):
        assert command in out


async def test_invalid_setting_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = await run_paperbot(
        ["console"], {"DEFAULT_TIMEZONE": "Nowhere/Land"}, cwd=tmp_path
    )
    assert code == 2
    assert "unknown IANA timezone 'Nowhere/Land'" in err


def json_documents(text: str) -> list[dict[str, object]]:
    """Every JSON document printed one after another (pretty-printed, newline-separated)."""
    decoder, docs, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        doc, index = decoder.raw_decode(text, index)
        docs.append(doc)
    return docs


PREVIEW_INPUT = b"/subscribe cat:quant-ph entanglement\n/digest preview\n"


async def test_console_render_slack_prints_block_kit_json(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    env = environment(tmp_path, http_server)
    args = ["console", "--render", "slack"]
    code, out, err = await run_paperbot(args, env, PREVIEW_INPUT, cwd=tmp_path)
    assert code == 0, err
    docs = json_documents(out)
    assert len(docs) >= 3
    assert all(isinstance(doc["blocks"], list) and doc["blocks"] for doc in docs)
    blocks = [block for doc in docs for block in doc["blocks"]]  # type: ignore[attr-defined]
    assert any(block["type"] == "header" for block in blocks)


async def test_console_render_telegram_prints_html(
    tmp_path: Path, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    env = environment(tmp_path, http_server)
    args = ["console", "--render", "telegram"]
    code, out, err = await run_paperbot(args, env, PREVIEW_INPUT, cwd=tmp_path)
    assert code == 0, err
    assert "<b>" in out and '<a href="' in out
    assert "<!channel>" not in out and "=== Papers for" not in out


async def test_oauth_without_http_is_an_invalid_settings_line(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "ADAPTERS": "slack",
        "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "oauth-secret-value",
        "SLACK_SIGNING_SECRET": "signing-secret-value", "SLACK_BOT_TOKEN": "",
    }  # fmt: skip
    code, _out, err = await run_paperbot(["run"], env, cwd=tmp_path)
    assert code == 2 and err.startswith("paperbot: invalid settings:\n"), err
    assert "need `paperbot run --http`" in err and "Traceback" not in err
    assert "Bolt has enabled the file-based" not in err  # refused before Bolt reads the env
