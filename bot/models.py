"""The stored tables: papers, their announcements, channels, topics, fetches and deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC, as every timestamp column stores it."""
    return datetime.now(UTC)


class Paper(SQLModel, table=True):
    """One work, stored once however many feeds, categories or days it appears in."""

    __tablename__ = "papers"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True, index=True)
    source: str = Field(max_length=20)
    arxiv_id: str | None = Field(default=None, max_length=40, index=True)
    version: int | None = None
    doi: str | None = Field(default=None, max_length=200, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    title_raw: str = Field(sa_column=Column(Text, nullable=False))
    abstract: str = Field(sa_column=Column(Text, nullable=False))
    abstract_raw: str = Field(sa_column=Column(Text, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    primary_category: str = Field(default="", max_length=200)
    abs_url: str = Field(default="", sa_column=Column(Text, nullable=False))
    pdf_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    feed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    first_announced_on: date
    last_announced_on: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Announcement(SQLModel, table=True):
    """A paper appearing in a source on a date, as new, cross-list or replacement."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("paper_id", "announced_on", name="uq_announcement_day"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    announced_on: date = Field(index=True)
    announce_type: str = Field(default="new", max_length=20)
    version: int | None = None


class Channel(SQLModel, table=True):
    """A chat channel (or console) that follows topics and receives digests."""

    __tablename__ = "channels"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel", name="uq_channel_address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    workspace: str = Field(default="", max_length=100)
    channel: str = Field(max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    digest_time: str = Field(default="08:00", max_length=5)
    digest_days: str = Field(default="mon-fri", max_length=40)
    language: str = Field(default="en", max_length=16)
    max_papers: int = 10
    paused: bool = False
    quiet: bool = True
    replacements: bool = False
    active: bool = True
    weekly_day: str | None = Field(default=None, max_length=3)  # "mon"…"sun"; None: off
    min_score: int = 0  # 0–100: papers whose relevance is under it are left out (0: none)
    followups_off: str = Field(default="", max_length=100)  # kinds switched off, comma-separated
    created_at: datetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    """One topic query a channel follows."""

    __tablename__ = "topics"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    query: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class FeedState(SQLModel, table=True):
    """Conditional-GET validators and health of one source URL."""

    __tablename__ = "feed_states"

    url: str = Field(primary_key=True, max_length=2000)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_ok_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    failures: int = 0


class FetchRun(SQLModel, table=True):
    """One fetch of one source URL: when, how it went, what it brought."""

    __tablename__ = "fetch_runs"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)
    url: str = Field(sa_column=Column(Text, nullable=False))
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)
    papers: int = 0
    new_papers: int = 0
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Delivery(SQLModel, table=True):
    """A channel's scheduled post of one kind for one date: claimed once, then posted.

    `kind` is "daily" (the digest) or "weekly" (the weekly briefing): both may fall on a date.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel_id", "digest_date", "kind", name="uq_delivery_kind_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    digest_date: date
    kind: str = Field(default="daily", max_length=10)
    status: str = Field(default="claimed", max_length=20)
    claimed_by: str = Field(default="", max_length=100)
    claimed_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    papers: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    plan: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    header_ref: str | None = Field(default=None, max_length=100)


class DeliveredPaper(SQLModel, table=True):
    """Which paper (and version) went to which channel, when, and as which message."""

    __tablename__ = "delivered_papers"
    __table_args__ = (
        UniqueConstraint("channel_id", "paper_id", "version", name="uq_delivered_version"),
        Index("ix_delivered_papers_delivery_paper", "delivery_id", "paper_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    version: int = 0
    delivery_id: int | None = Field(default=None, foreign_key="deliveries.id")
    position: int = 0
    sent_at: datetime = Field(default_factory=utcnow)
    message_ref: str | None = Field(default=None, max_length=100, index=True)


class SummaryRecord(SQLModel, table=True):
    """A cached summary of one paper, per language, summarizer+model and prompt version."""

    __tablename__ = "summaries"
    __table_args__ = (
        UniqueConstraint(
            "paper_id", "language", "summarizer", "prompt_version", name="uq_summary_variant"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    language: str = Field(max_length=16)
    summarizer: str = Field(max_length=200)  # e.g. "offline" or "llm:gpt-4o-mini"
    prompt_version: str = Field(max_length=20)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fallback: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class LlmUsage(SQLModel, table=True):
    """Tokens spent on LLM calls, one row per UTC day, model and purpose."""

    __tablename__ = "llm_usage"
    __table_args__ = (UniqueConstraint("day", "model", "purpose", name="uq_llm_usage_day"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    model: str = Field(max_length=200)
    purpose: str = Field(default="summary", max_length=40)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A person's 👍 (+1) or 👎 (-1) on a paper in a channel; the latest vote counts."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("channel_id", "paper_id", "user", name="uq_feedback_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    user: str = Field(default="", max_length=100)
    value: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class RerankScore(SQLModel, table=True):
    """An LLM's 0–10 relevance of a paper to a channel's topic set, cached by the set's hash."""

    __tablename__ = "rerank_scores"
    __table_args__ = (UniqueConstraint("paper_id", "topics_hash", "model", name="uq_rerank_score"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    topics_hash: str = Field(max_length=64, index=True)
    model: str = Field(max_length=200)
    score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class PaperText(SQLModel, table=True):
    """A paper's full text, fetched once for Q&A: its passages with their section titles."""

    __tablename__ = "paper_texts"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", unique=True, index=True)
    kind: str = Field(max_length=20)  # "html" | "pdf" | "jats" | "abstract"
    chunks: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chars: int = 0
    fetched_at: datetime = Field(default_factory=utcnow)
    used_at: datetime = Field(default_factory=utcnow, index=True)


class QaTurn(SQLModel, table=True):
    """One question and its answer about a paper, in a channel's thread (Q&A context)."""

    __tablename__ = "qa_turns"
    __table_args__ = (
        Index("ix_qa_turns_conversation", "platform", "workspace", "channel", "thread"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    workspace: str = Field(default="", max_length=100)
    channel: str = Field(max_length=100)
    thread: str = Field(default="", max_length=100)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class RequestKey(SQLModel, table=True):
    """A request already taken by some replica (a platform's event, update or signed
    request), kept until `expires_at` so that every replica handles it at most once."""

    __tablename__ = "request_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40)
    key: str = Field(max_length=300)
    expires_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    """Work one process holds by name (e.g. a channel's `digest now`) until released or expired."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=200)
    holder: str = Field(max_length=100)
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


class LlmBudgetDay(SQLModel, table=True):
    """One UTC day's LLM tokens against the daily budget: spent plus reserved by calls in flight."""

    __tablename__ = "llm_budget"

    day: date = Field(primary_key=True)
    tokens: int = 0


class ImpactJudgment(SQLModel, table=True):
    """One cached "which paper has more impact" judgment: a pair in one order, per model."""

    __tablename__ = "impact_judgments"
    __table_args__ = (
        UniqueConstraint(
            "first_paper_id", "second_paper_id", "model", "prompt_version",
            name="uq_impact_judgment",
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    first_paper_id: int = Field(foreign_key="papers.id", index=True)
    second_paper_id: int = Field(foreign_key="papers.id")
    model: str = Field(max_length=200)
    prompt_version: str = Field(max_length=40)
    first_wins: bool
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ChannelFeed(SQLModel, table=True):
    """A channel's private feed address: an unguessable token, replaced by `feed reset`."""

    __tablename__ = "channel_feeds"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", unique=True)
    token: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class LibraryPaper(SQLModel, table=True):
    """A paper in a channel's seed library: what the channel cares about, for its ranking."""

    __tablename__ = "library_papers"
    __table_args__ = (UniqueConstraint("channel_id", "paper_id", name="uq_library_paper"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    added_by: str = Field(default="", max_length=100)
    origin: str = Field(default="chat", max_length=20)  # chat | import | zotero
    added_at: datetime = Field(default_factory=utcnow)


class PaperWatch(SQLModel, table=True):
    """What follow-ups last saw of a posted paper: the state the next re-check compares with."""

    __tablename__ = "paper_watches"

    paper_id: int = Field(foreign_key="papers.id", primary_key=True)
    version: int = 0
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    journal_ref: str = Field(default="", sa_column=Column(Text, nullable=False))
    doi: str = Field(default="", max_length=200)  # the published version's DOI, once known
    code: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    withdrawn: bool = False
    checked_at: datetime = Field(default_factory=utcnow)


class Followup(SQLModel, table=True):
    """One follow-up reply in a posted paper's thread: at most one per (channel, paper, kind).

    `kind` is "version:N" (one per new version), "code", "published" or "withdrawn";
    `message_ref` is "pending…" while it is being sent, then the platform's message id.
    """

    __tablename__ = "followups"
    __table_args__ = (UniqueConstraint("channel_id", "paper_id", "kind", name="uq_followup_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    kind: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    thread: str = Field(max_length=100)  # the paper post's message id: the follow-up's thread
    message_ref: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class LibrarySync(SQLModel, table=True):
    """How far a channel's library follows a reference manager (Zotero's library version)."""

    __tablename__ = "library_syncs"

    channel_id: int = Field(foreign_key="channels.id", primary_key=True)
    source: str = Field(primary_key=True, max_length=200)  # "zotero:users/123[/collections/K]"
    version: int = 0
    synced_at: datetime = Field(default_factory=utcnow)


class PaperEmbedding(SQLModel, table=True):
    """A paper's title+abstract embedding under one model: float32 bytes, unit length."""

    __tablename__ = "paper_embeddings"
    __table_args__ = (UniqueConstraint("paper_id", "model", name="uq_paper_embedding"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", index=True)
    model: str = Field(max_length=200)
    dims: int = 0
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class DigestPosition(SQLModel, table=True):
    """Paper N of the channel's most recent digest, for `>N`, `ask N`, `like N` on any replica."""

    __tablename__ = "digest_positions"

    channel_id: int = Field(foreign_key="channels.id", primary_key=True)
    position: int = Field(primary_key=True)
    paper_id: int = Field(foreign_key="papers.id")
