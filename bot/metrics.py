"""Operational figures for `/metrics`: the store's history, read at scrape time (the same on
every replica, surviving restarts), plus this process's command latency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import col, func, select

from bot.models import Channel, DeliveredPaper, Delivery, FetchRun, LlmUsage, Paper
from bot.schedule import scheduled_at
from bot.store.db import Database
from bot.store.deliveries import NOW

LAG_BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 3 * 3600.0, 6 * 3600.0, 24 * 3600.0)
LAG_DAYS = 30  # deliveries the lag histogram covers
LAG_ROWS = 20_000
Family = CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily


class CommandMetrics:
    """This process's figures: command latency, and the 429s the platforms answered."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "paperbot_command_seconds", "Time from a command's arrival to its last answer",
            ["command"], registry=self.registry,
        )  # fmt: skip
        self.limited = Counter(
            "paperbot_rate_limited", "429 (retry later) answers from a chat platform",
            ["platform"], registry=self.registry,
        )  # fmt: skip

    def observe(self, command: str, seconds: float) -> None:
        """Record one handled command."""
        self.latency.labels(command=command).observe(seconds)

    def rate_limited(self, platform: str) -> None:
        """Count one 429 from `platform`."""
        self.limited.labels(platform=platform).inc()


class _Families(Collector):
    def __init__(self, families: list[Family]) -> None:
        self._families = families

    def collect(self) -> Iterable[Family]:
        return iter(self._families)


async def store_registry(db: Database, now: datetime) -> CollectorRegistry:
    """A registry holding the store's figures as of now."""
    async with db.session() as session:
        papers = (await session.exec(select(func.count(col(Paper.id))))).one()
        fetches = (await session.exec(
            select(FetchRun.source, FetchRun.status, func.count()).group_by(
                col(FetchRun.source), col(FetchRun.status))
        )).all()  # fmt: skip
        deliveries = (await session.exec(
            select(Delivery.kind, Delivery.status, func.count()).group_by(
                col(Delivery.kind), col(Delivery.status))
        )).all()  # fmt: skip
        posts = (await session.exec(
            select(Channel.platform, func.count()).select_from(DeliveredPaper).join(
                Channel, col(Channel.id) == col(DeliveredPaper.channel_id)
            ).group_by(col(Channel.platform))
        )).all()  # fmt: skip
        usage = (await session.exec(
            select(LlmUsage.purpose, func.sum(LlmUsage.calls), func.sum(LlmUsage.prompt_tokens),
                   func.sum(LlmUsage.completion_tokens)).group_by(col(LlmUsage.purpose))
        )).all()  # fmt: skip
        lags = await _lags(session, now)
    families: list[Family] = [GaugeMetricFamily("paperbot_papers_stored", "Papers stored",
                                                value=float(papers))]  # fmt: skip
    families += _counters(fetches, deliveries, posts, usage)
    families.append(_histogram(lags))
    registry = CollectorRegistry()
    registry.register(_Families(families))
    return registry


def _counters(fetches: list, deliveries: list, posts: list, usage: list) -> list[Family]:  # type: ignore[type-arg]
    fetch = CounterMetricFamily("paperbot_fetches", "Source fetches by outcome",
                                labels=["source", "status"])  # fmt: skip
    for source, status, count in fetches:
        fetch.add_metric([source, status], count)
    delivered = CounterMetricFamily("paperbot_deliveries", "Scheduled posts by outcome",
                                    labels=["kind", "status"])  # fmt: skip
    totals: dict[tuple[str, str], int] = {}
    for kind, status, count in deliveries:  # "now1", "now2", … are all `digest now`
        key = (NOW if kind.startswith(NOW) else kind, status)
        totals[key] = totals.get(key, 0) + count
    for labels_, count in totals.items():
        delivered.add_metric(list(labels_), count)
    sent = CounterMetricFamily("paperbot_paper_posts", "Paper posts sent, per platform",
                               labels=["platform"])  # fmt: skip
    for platform, count in posts:
        sent.add_metric([platform], count)
    calls = CounterMetricFamily("paperbot_llm_calls", "LLM calls per purpose", labels=["purpose"])
    tokens = CounterMetricFamily("paperbot_llm_tokens", "LLM tokens per purpose",
                                 labels=["purpose", "kind"])  # fmt: skip
    for purpose, n_calls, prompt, completion in usage:
        calls.add_metric([purpose], n_calls or 0)
        tokens.add_metric([purpose, "prompt"], prompt or 0)
        tokens.add_metric([purpose, "completion"], completion or 0)
    return [fetch, delivered, sent, calls, tokens]


async def _lags(session, now: datetime) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from each recent sent digest's due time to its finish."""
    since = (now - timedelta(days=LAG_DAYS)).date()
    rows = (await session.exec(
        select(Delivery.digest_date, Delivery.finished_at, Channel.digest_time, Channel.timezone)
        .join(Channel, col(Channel.id) == col(Delivery.channel_id))
        .where(Delivery.status == "sent", col(Delivery.digest_date) >= since,
               col(Delivery.finished_at).is_not(None))
        .order_by(col(Delivery.id).desc()).limit(LAG_ROWS)
    )).all()  # fmt: skip
    lags = []
    for day, finished, at, zone in rows:
        due = scheduled_at(day, at, zone)
        done = finished if finished.tzinfo else finished.replace(tzinfo=UTC)
        lags.append(max(0.0, (done - due).total_seconds()))
    return lags


def _histogram(lags: list[float]) -> HistogramMetricFamily:
    buckets = [(str(edge), sum(1 for lag in lags if lag <= edge)) for edge in LAG_BUCKETS]
    buckets.append(("+Inf", len(lags)))
    return HistogramMetricFamily(
        "paperbot_delivery_lag_seconds",
        f"Due time to posted, digests of the last {LAG_DAYS} days",
        buckets=buckets,
        sum_value=sum(lags),
    )
