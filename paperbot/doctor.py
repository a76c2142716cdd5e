"""`paperbot doctor`: the configuration checked against the real services, one line each.

Each check prints ✔ or ✘ with what it found and, on ✘, what to fix. The exit status is 1
when any check failed. Nothing is changed: the database is opened and its revision read,
not migrated; the chat platforms are only asked who the bot is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.config import Settings
from bot.library.zotero import ZoteroSource
from bot.store.db import Database, alembic_config

TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The printed line."""
        return f"{'✔' if self.ok else '✘'} {self.name}: {self.detail}"


async def database(settings: Settings, _client: httpx.AsyncClient) -> list[Check]:
    """The database opens and is at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    db = Database.open(settings.database_url)
    try:
        async with db.session() as session:
            row = (await session.exec(text("SELECT version_num FROM alembic_version"))).first()  # type: ignore[call-overload]
    except Exception as error:  # any failure to open or read is the finding
        return [Check("database", False, f"cannot read it ({type(error).__name__}); check "
                      "DATABASE_URL, or run `paperbot run` once to create it")]  # fmt: skip
    finally:
        await db.close()
    current = row[0] if row else None
    if current != head:
        return [Check("database", False, f"at revision {current}, the code needs {head}; "
                      "`paperbot run` migrates it at start")]  # fmt: skip
    return [Check("database", True, f"opens, migrated (revision {head})")]


async def sources(settings: Settings, client: httpx.AsyncClient) -> list[Check]:
    """Each source URL answers a small real request."""
    probes = {
        "ARXIV_RSS_URL": settings.arxiv_rss_url.rstrip("/") + "/cs.AI",
        "ARXIV_API_URL": settings.arxiv_api_url + "?id_list=2104.12255&max_results=1",
        "BIORXIV_API_URL": settings.biorxiv_api_url.rstrip("/")
        + "/details/biorxiv/2020-01-01/2022-12-31/0",
        "CROSSREF_API_URL": settings.crossref_api_url.rstrip("/") + "/works/10.17705/1cais.04607",
    }
    checks = []
    for name, url in probes.items():
        try:
            response = await client.get(url)
        except httpx.HTTPError as error:
            checks.append(Check(name, False, f"no answer ({type(error).__name__}); check the "
                                "network, a proxy (HTTPS_PROXY) or the URL"))  # fmt: skip
            continue
        ok = response.status_code < 400
        fix = "" if ok else "; check the URL"
        checks.append(Check(name, ok, f"HTTP {response.status_code}{fix}"))
    return checks


async def llm(settings: Settings, client: httpx.AsyncClient) -> list[Check]:
    """The LLM base URL answers /models and lists LLM_MODEL."""
    if not settings.llm_enabled:
        return [Check("LLM", True, "not configured: offline summaries (set LLM_BASE_URL, "
                      "LLM_API_KEY, LLM_MODEL to use one)")]  # fmt: skip
    base = (settings.llm_base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    try:
        response = await client.get(f"{base}/models", headers=headers)
    except httpx.HTTPError as error:
        return [Check("LLM", False, f"{base}/models gave no answer ({type(error).__name__}); "
                      "check LLM_BASE_URL")]  # fmt: skip
    if response.status_code in (401, 403):
        return [Check("LLM", False, f"HTTP {response.status_code}: check LLM_API_KEY")]
    if response.status_code >= 400:
        return [Check("LLM", False, f"HTTP {response.status_code} from /models: check "
                      "LLM_BASE_URL (it usually ends in /v1)")]  # fmt: skip
    models = {m.get("id") for m in response.json().get("data", []) if isinstance(m, dict)}
    if settings.llm_model not in models:
        shown = ", ".join(sorted(str(m) for m in models)[:5]) or "none"
        return [Check("LLM", False, f"model {settings.llm_model!r} is not served (it lists "
                      f"{shown}); check LLM_MODEL")]  # fmt: skip
    return [Check("LLM", True, f"{base} serves {settings.llm_model}")]


async def zotero(settings: Settings, client: httpx.AsyncClient) -> list[Check]:
    """ZOTERO_API_KEY may read the library ZOTERO_USER_ID or ZOTERO_GROUP_ID names."""
    source = ZoteroSource.of(settings)
    if source is None or not source.api_key:
        if settings.zotero_api_key or source is not None:
            return [Check("Zotero", False, "set ZOTERO_API_KEY with ZOTERO_USER_ID or "
                          "ZOTERO_GROUP_ID: `library sync` needs both")]  # fmt: skip
        return []
    try:
        response = await client.get(f"{source.api_url}/keys/current", headers=source.headers())
    except httpx.HTTPError as error:
        return [Check("Zotero", False, f"no answer ({type(error).__name__}); check the network "
                      "or ZOTERO_API_URL")]  # fmt: skip
    if response.status_code >= 400:
        return [Check("Zotero", False, f"the key is refused (HTTP {response.status_code} "
                      f"{response.text.strip()[:40]}); check ZOTERO_API_KEY")]  # fmt: skip
    key = response.json()
    if not reads_library(key, source.library):
        return [Check("Zotero", False, f"the key cannot read {source.library}; give it read "
                      "access at zotero.org/settings/keys, or check the ZOTERO_* id")]  # fmt: skip
    return [Check("Zotero", True, f"the key of {key.get('username', '?')} reads {source.library}")]


def reads_library(key: dict[str, Any], library: str) -> bool:
    """Does a `keys/current` reply grant reading `library` ("users/1" or "groups/2")?"""
    kind, _, ident = library.partition("/")
    access = key.get("access") or {}
    if kind == "users":
        return str(key.get("userID")) == ident and bool((access.get("user") or {}).get("library"))
    groups = access.get("groups") or {}
    return bool((groups.get(ident) or groups.get("all") or {}).get("library"))


Probe = Callable[[Settings, httpx.AsyncClient], Awaitable[list[Check]]]


async def run_doctor(settings: Settings, probes: list[Probe]) -> list[Check]:
    """Every check, in order."""
    checks: list[Check] = []
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=True) as client:
        for probe in probes:
            checks += await probe(settings, client)
    return checks
