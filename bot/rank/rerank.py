"""The LLM reranker: a channel's top candidates scored 0–10 against its topics, cached.

Like gpt_paper_assistant, candidates go to the model in batches of at most 20 (title and
the first ~600 characters of the abstract each); the reply `{"scores": [{"id", "relevance",
"reason"}]}` is validated entry by entry. Scores are cached per (paper, topic-set hash,
model) in `rerank_scores`, so a second rerank of the same papers for the same topics
makes no call, and channels that follow the same topic set share them.

Never raises: over the daily token budget, or when a batch fails (HTTP error, timeout,
invalid JSON), that batch's papers get no score and the caller keeps the query order for
them. `combine` blends the scores with BM25 relevance into the final order.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.config import Settings
from bot.llm.client import JsonSchema, LLMClient, LLMError
from bot.llm.metered import BudgetSpent, InvalidReply, Metered, UsageLedger, json_object
from bot.rank.cache import cached_scores, store_scores, topics_hash
from bot.rank.prompts import RERANK_SCHEMA, SCHEMA_NAME, rerank_messages
from bot.rank.types import RerankItem
from bot.store.db import Database

__all__ = ["LLMReranker", "RerankItem", "batches", "combine", "parse_scores", "topics_hash"]

log = structlog.get_logger(__name__)

PURPOSE = "rerank"
BATCH_SIZE = 20
DEADLINE_FACTOR = 3.0  # one batch (retries included) ≤ this × LLM_TIMEOUT
MAX_SCORE = 10.0


class ScoreEntry(BaseModel):
    """One paper's score as the model returns it."""

    model_config = ConfigDict(extra="ignore")

    id: int
    relevance: float
    reason: str = ""

    @field_validator("relevance")
    @classmethod
    def _in_range(cls, value: float) -> float:
        """Clamp to 0–10 (a 10.5 is not worth losing); NaN is invalid."""
        if math.isnan(value):
            raise ValueError("relevance must be a number")
        return min(max(value, 0.0), MAX_SCORE)


def parse_scores(content: str, ids: set[int]) -> dict[int, float]:
    """The valid scores in a reply for papers in `ids` (others and bad entries are dropped)."""
    entries = json_object(content).get("scores")
    if not isinstance(entries, list):
        raise InvalidReply('"scores" must be a list')
    scores: dict[int, float] = {}
    for entry in entries:
        try:
            item = ScoreEntry.model_validate(entry)
        except ValidationError:
            continue
        if item.id in ids:
            scores.setdefault(item.id, item.relevance)
    return scores


def batches(items: Sequence[RerankItem], size: int = BATCH_SIZE) -> list[list[RerankItem]]:
    """Split into the fewest batches of at most `size`, evenly (35 → 18 + 17)."""
    if not items:
        return []
    count = math.ceil(len(items) / size)
    step, extra = divmod(len(items), count)
    out, start = [], 0
    for n in range(count):
        end = start + step + (1 if n < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


class LLMReranker:
    """Scores candidates 0–10 against a topic set with an LLM, cached in the database."""

    def __init__(
        self, client: LLMClient, settings: Settings, usage: UsageLedger, db: Database
    ) -> None:
        self.model = settings.llm_model
        self.budget_exhausted = False
        self._calls = Metered.for_purpose(client, settings, usage, PURPOSE)
        self._db = db
        self._deadline = DEADLINE_FACTOR * settings.llm_timeout
        self._schema = JsonSchema(SCHEMA_NAME, RERANK_SCHEMA)

    async def rerank(
        self, topics: Sequence[str], candidates: Sequence[RerankItem]
    ) -> dict[int, float]:
        """Paper id → 0–10 relevance, cached or asked; papers whose batch failed are absent."""
        texts = sorted({t.strip() for t in topics if t.strip()})
        items = list({c.paper_id: c for c in candidates}.values())
        if not texts or not items:
            return {}
        digest = topics_hash(texts)
        scores = await self._cached(digest, [i.paper_id for i in items])
        missing = [i for i in items if i.paper_id not in scores]
        if missing:
            fresh = await self._score(texts, missing)
            await self._save(digest, fresh)
            scores.update(fresh)
        log.info("rerank.done", candidates=len(items), asked=len(missing), scored=len(scores))
        return scores

    async def _score(self, topics: list[str], items: list[RerankItem]) -> dict[int, float]:
        results = await asyncio.gather(*(self._batch(topics, b) for b in batches(items)))
        return {paper_id: s for result in results for paper_id, s in result.items()}

    async def _batch(self, topics: list[str], batch: list[RerankItem]) -> dict[int, float]:
        if await self._calls.over_budget():
            self.budget_exhausted = True
            return {}
        ids = {i.paper_id for i in batch}
        try:
            async with asyncio.timeout(self._deadline):
                reply = await self._calls.json(rerank_messages(topics, batch), self._schema)
            scores = parse_scores(reply.content, ids)
        except BudgetSpent:
            self.budget_exhausted = True  # reserved by concurrent calls since the check
        except (LLMError, InvalidReply) as error:
            log.warning("rerank.batch_failed", papers=len(batch), error=str(error))
        except TimeoutError:
            log.warning("rerank.batch_deadline", papers=len(batch), deadline=self._deadline)
        except Exception:
            log.exception("rerank.batch_crashed", papers=len(batch))
        else:
            if len(scores) < len(ids):
                log.info("rerank.partial_reply", asked=len(ids), scored=len(scores))
            return scores
        return {}

    async def _cached(self, digest: str, paper_ids: list[int]) -> dict[int, float]:
        try:
            async with self._db.session() as session:
                return await cached_scores(session, digest, self.model, paper_ids)
        except Exception:
            log.exception("rerank.cache_unreadable")
            return {}

    async def _save(self, digest: str, scores: Mapping[int, float]) -> None:
        if not scores:
            return
        try:
            async with self._db.session() as session:
                await store_scores(session, digest, self.model, scores)
        except Exception:
            log.exception("rerank.cache_not_saved", papers=len(scores))


def combine(
    relevance: Mapping[int, float], rerank: Mapping[int, float], weight: float = 0.5
) -> list[tuple[int, float]]:
    """The final order: BM25 relevance and LLM scores blended, best first.

    rel = relevance / max(relevance) over the candidates (max-normalization to 0–1;
    negatives count as 0), llm = rerank / 10, final = (1 - weight) * rel + weight * llm.
    A paper without an LLM score uses its own rel in place of llm (so it keeps its BM25
    standing instead of being punished for a failed batch). Ties keep the input order.
    The output holds exactly the keys of `relevance`; scores for other papers are ignored.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be within 0 and 1, not {weight}")
    top = max((max(r, 0.0) for r in relevance.values()), default=0.0)
    blended = []
    for paper_id, raw in relevance.items():
        rel = max(raw, 0.0) / top if top > 0 else 0.0
        llm = rerank[paper_id] / MAX_SCORE if paper_id in rerank else rel
        blended.append((paper_id, (1 - weight) * rel + weight * min(max(llm, 0.0), 1.0)))
    return sorted(blended, key=lambda pair: -pair[1])
