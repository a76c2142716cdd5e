"""With every secret set, no secret value appears anywhere in what paperbot prints.

Three real processes: `paperbot run` polling a fake Telegram (httpx logs every request URL,
which carries the bot token) and failing a fetch; `paperbot run` with a token the API refuses
(python-telegram-bot's InvalidToken); and settings that fail validation.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.adapters.telegram.updates import message_update, private_chat
from tests.fakes.http_server import Reply
from tests.fakes.telegram_api import FakeTelegramApi

TIMEOUT = 60
TELEGRAM_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
SECRETS = {  # each with a distinctive start: not even a truncated prefix may show
    "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": "Wq7hZk-webhook-secret-42",
    "LLM_API_KEY": "sk-Qz81test0123456789abcdefghijklmnop",
    "SLACK_BOT_TOKEN": "xoxb-81111-22222-abcdefghijklmnop",
    "SLACK_APP_TOKEN": "xapp-9-A111-222-abcdefabcdef",
    "SLACK_SIGNING_SECRET": "Sg4qXv-signing-secret-77",
    "SLACK_CLIENT_SECRET": "Cl9mRt-client-secret-88",
}


def environment(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ, **SECRETS, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ADAPTERS": "telegram", "TELEGRAM_API_URL": api_url, "LLM_MODEL": "m",
        "LLM_BASE_URL": "http://127.0.0.1:9/v1", "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
        "HTTP_RETRIES": "1", "LOG_LEVEL": "INFO", **extra,
    }  # fmt: skip


def assert_no_secret(output: str) -> None:
    leaked = [name for name, value in SECRETS.items() if value[:8] in output]
    assert not leaked, f"{leaked} leaked in:\n{output[-3000:]}"
    assert "input_value" not in output


async def spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", *args, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, cwd=cwd,
    )  # fmt: skip


async def test_polling_and_errors_print_no_secret(tmp_path: Path) -> None:
    async with FakeTelegramApi(token=TELEGRAM_TOKEN, poll_wait=0.05) as telegram:
        telegram.push_update(message_update(private_chat(), "/subscribe cat:cs.CL agents"))
        telegram.push_update(message_update(private_chat(), "/digest now"))
        process = await spawn(environment(tmp_path, telegram.api_url), tmp_path, "run")
        try:
            await telegram.wait_until(
                lambda: (
                    len(telegram.calls_to("getUpdates")) >= 5
                    and len(telegram.calls_to("sendMessage")) >= 2
                ),
                TIMEOUT,
            )
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    text = output.decode(errors="replace")
    assert "telegram adapter started" in text  # the run really logged
    assert_no_secret(text)


async def test_refused_token_prints_no_secret(tmp_path: Path) -> None:
    async with FakeTelegramApi(token="111:other") as telegram:  # our token is refused
        unauthorized = '{"ok": false, "error_code": 401, "description": "Unauthorized"}'
        for method in ("GET", "POST"):
            telegram.server.route_prefix(
                "/bot", Reply(unauthorized, 401, content_type="application/json"), method=method
            )
        process = await spawn(environment(tmp_path, telegram.api_url), tmp_path, "run")
        output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    text = output.decode(errors="replace")
    assert process.returncode != 0 and text.strip()
    assert "Traceback" not in text and "InvalidToken" in text
    assert_no_secret(text)


async def test_invalid_settings_print_no_secret(tmp_path: Path) -> None:
    env = environment(tmp_path, "http://127.0.0.1:9/bot", ADAPTERS="telegram,bogus")
    process = await spawn(env, tmp_path, "status")
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    text = output.decode(errors="replace")
    assert process.returncode == 2 and "ADAPTERS" in text
    assert_no_secret(text)
