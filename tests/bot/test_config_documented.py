"""Every setting is documented in .env.example, and bad settings fail clearly."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from adapters import unknown_adapters
from bot.config import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def adapter_settings() -> list[type[BaseSettings]]:
    """The settings classes in adapters/<name>/settings.py (found, so a new one is checked)."""
    found = []
    for path in sorted((ENV_EXAMPLE.parent / "adapters").glob("*/settings.py")):
        module = importlib.import_module(f"adapters.{path.parent.name}.settings")
        found += [v for v in vars(module).values() if isinstance(v, type)
                  and issubclass(v, BaseSettings) and v is not BaseSettings]  # fmt: skip
    assert len(found) >= 3
    return found


def test_every_setting_is_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    settings = {name.upper() for name in Settings.model_fields}
    for adapter in adapter_settings():  # each adapter's own, with its prefix
        prefix = str(adapter.model_config.get("env_prefix", ""))
        settings |= {str(field.validation_alias or f"{prefix}{name}").upper()
                     for name, field in adapter.model_fields.items()}  # fmt: skip
    assert settings - documented == set(), "settings missing from .env.example"
    assert documented - settings == set(), ".env.example documents unknown settings"


def test_defaults_need_no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ENV_EXAMPLE.parent.parent)  # no .env there
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.enabled_adapters == ("console",)
    assert not settings.llm_enabled


def test_unknown_timezone_and_adapter_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown IANA timezone"):
        Settings(_env_file=None, default_timezone="Mars/Olympus")
    assert unknown_adapters(Settings(_env_file=None, adapters="console,irc").enabled_adapters) == [
        "irc"
    ]  # `paperbot run` refuses them by name (tests/paperbot/test_cli.py)


def test_plain_urls_get_async_drivers() -> None:
    pg = Settings(_env_file=None, database_url="postgresql://u@h:5432/d")
    assert pg.database_url == "postgresql+asyncpg://u@h:5432/d"
    lite = Settings(_env_file=None, database_url="sqlite:///x.db")
    assert lite.database_url == "sqlite+aiosqlite:///x.db"
