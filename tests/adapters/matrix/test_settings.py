"""MATRIX_* settings: what the builder refuses (one line, no secrets), and logging in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.matrix.app import MatrixAdapter
from adapters.matrix.settings import MatrixSettings
from bot.adapter import AdapterSettingsError
from bot.app import App, create_app
from bot.store.db import Database
from bot.store.keys import RequestKeys
from paperbot.invalid import InvalidSettings
from paperbot.run import HttpOptions, make_adapters
from tests.botharness import bot_settings
from tests.fakes.synapse import Account, Synapse

SECRET = "hunter2-very-secret"


@pytest.fixture
async def app(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[App]:
    monkeypatch.chdir(tmp_path)  # no .env from the work tree
    application = await create_app(bot_settings(adapters="console,matrix"), db=db)
    try:
        yield application
    finally:
        await application.http.aclose()


@pytest.mark.parametrize(
    "env, says",
    [
        ({}, "MATRIX_HOMESERVER_URL is not set"),
        ({"MATRIX_HOMESERVER_URL": "matrix.example.org"}, "must start with https://"),
        ({"MATRIX_HOMESERVER_URL": "https://m.example.org", "MATRIX_PASSWORD": SECRET},
         "MATRIX_USER_ID"),
        ({"MATRIX_HOMESERVER_URL": "https://m.example.org", "MATRIX_USER_ID": "@bot:m.example.org"},
         "set MATRIX_ACCESS_TOKEN, or MATRIX_PASSWORD"),
        ({"MATRIX_HOMESERVER_URL": "https://m.example.org", "MATRIX_USER_ID": "@bot:m.example.org",
          "MATRIX_ACCESS_TOKEN": SECRET, "MATRIX_COMMAND_PREFIX": "! papers"},
         "MATRIX_COMMAND_PREFIX"),
    ],
)  # fmt: skip
def test_adapters_matrix_needs_its_settings(
    app: App, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidSettings, match=says) as raised:
        make_adapters(app, HttpOptions(enabled=False))
    message = str(raised.value)
    assert "\n" not in message and SECRET not in message


def test_complete_settings_build_the_adapter(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATRIX_HOMESERVER_URL", "https://m.example.org")
    monkeypatch.setenv("MATRIX_USER_ID", "@bot:m.example.org")
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", SECRET)
    built = make_adapters(app, HttpOptions(enabled=False))
    assert isinstance(built["matrix"], MatrixAdapter)


async def test_a_refused_token_says_so_and_a_password_logs_in(
    app: App, synapse: Synapse, tmp_path: Path
) -> None:
    account: Account = synapse.register()
    wrong = MatrixSettings(_env_file=None, homeserver_url=synapse.url, user_id=account.user_id,
                           access_token="syt_not_a_token")  # fmt: skip
    adapter = MatrixAdapter(wrong, app.bot, RequestKeys(app.db))
    with pytest.raises(AdapterSettingsError, match="MATRIX_ACCESS_TOKEN was refused"):
        await adapter.start()
    await adapter.stop()
    by_password = MatrixSettings(_env_file=None, homeserver_url=synapse.url,
                                 user_id=account.user_id, password=account.password,
                                 store_path=str(tmp_path / "sync-token"))  # fmt: skip
    adapter = MatrixAdapter(by_password, app.bot, RequestKeys(app.db))
    await adapter.start()
    try:
        assert adapter.client.device_id == "PAPERBOT"  # fixed: txnIds dedupe across logins
        assert (tmp_path / "sync-token").read_text().strip()
    finally:
        await adapter.stop()
