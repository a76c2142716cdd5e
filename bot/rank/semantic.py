"""The semantic side of ranking: embeddings kept per corpus, and each channel's profile."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.models import Paper
from bot.rank.embed import Embedder, EmbedderState, available, load_embedder
from bot.rank.relevance import Example, Profile
from bot.store.db import Database
from bot.store.embeddings import embed_papers, stored_vectors
from bot.store.feedback import channel_votes
from bot.store.library import library_papers

MAX_CACHED = 200_000  # vectors kept in memory (384 float32 each: ~300 MB at most)


@dataclass
class Relevance:
    """What digests rank with beyond BM25: the embedder (or None: lexical) and the blend.

    The model loads on first use (in a thread), so commands that never rank don't pay for it.
    """

    db: Database
    model: str
    weight: float = 0.7
    batch: int = 64
    state: EmbedderState | None = None
    _vectors: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _embedded: set[int] = field(default_factory=set, repr=False)  # known stored, this process
    _embedding: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _usable: bool | None = field(default=None, repr=False)  # the model may load (not checked)

    @classmethod
    def of(cls, db: Database, settings: Settings) -> Relevance:
        """From EMBEDDING_MODEL, SEMANTIC_WEIGHT and EMBEDDING_BATCH."""
        return cls(db, settings.embedding_model, settings.semantic_weight, settings.embedding_batch)

    @classmethod
    def loaded(cls, db: Database, embedder: Embedder, weight: float = 0.7) -> Relevance:
        """With a model already at hand (tests, benchmarks)."""
        return cls(db, embedder.name, weight, state=EmbedderState(embedder, "given"))

    async def load(self) -> EmbedderState:
        """Load the model once; later calls return the same state."""
        async with self._lock:
            if self.state is None:
                reason = available(self.model)
                self.state = (
                    EmbedderState(None, reason) if reason
                    else await asyncio.to_thread(load_embedder, self.model, self.batch)
                )  # fmt: skip
            return self.state

    def describe(self) -> str:
        """One line for `sources` / `status`, without loading the model."""
        if self.state is not None:
            return self.state.describe
        reason = available(self.model)
        if reason:
            return EmbedderState(None, reason).describe
        return f"semantic ranking: {self.model} (loads on first use)"

    @property
    def embedder(self) -> Embedder | None:
        """The loaded model, or None (not loaded yet, or not available)."""
        return self.state.embedder if self.state else None

    @property
    def vectors_model(self) -> str | None:
        """The model whose stored vectors rank, loaded or not yet; None: lexical only.

        Ranking reads stored vectors only, so a process whose papers are all embedded
        (the fetch embeds them) never loads the model.
        """
        if self.state is not None:
            return self.state.embedder.name if self.state.embedder else None
        if self._usable is None:
            self._usable = available(self.model) is None
        return self.model if self._usable else None

    async def embed(self, paper_ids: Sequence[int]) -> int:
        """Embed (once) the papers not embedded yet; how many were.

        One embedding run at a time: digests composed together wait for it instead of each
        encoding the same papers, and papers known stored are not looked up again.
        """
        if not any(pid not in self._embedded for pid in paper_ids):
            return 0
        if self.state is None and self.vectors_model is not None:  # stored already: no model
            async with self.db.session() as session:
                have = await stored_vectors(session, self.model, paper_ids)
            self._embedded.update(have)
            if all(pid in self._embedded for pid in paper_ids):
                return 0
        embedder = (await self.load()).embedder
        if embedder is None:
            return 0
        async with self._embedding:
            todo = [pid for pid in dict.fromkeys(paper_ids) if pid not in self._embedded]
            if not todo:
                return 0
            done = await embed_papers(self.db, embedder, todo, self.batch)
            self._embedded.update(todo)
            return done

    async def semantic(
        self, session: AsyncSession, channel_id: int, paper_ids: Sequence[int]
    ) -> tuple[dict[int, np.ndarray], Profile | None, float] | None:
        """(vectors of these papers, the channel's profile, weight) for `select_papers`."""
        if self.vectors_model is None:
            return None
        vectors = await self.vectors(session, paper_ids)
        return vectors, await self.profile(session, channel_id), self.weight

    async def vectors(
        self, session: AsyncSession, paper_ids: Sequence[int]
    ) -> dict[int, np.ndarray]:
        """The stored vectors of these papers (kept in memory once read)."""
        model = self.vectors_model
        if model is None:
            return {}
        missing = [pid for pid in paper_ids if pid not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > MAX_CACHED:
                self._vectors.clear()
            self._vectors.update(await stored_vectors(session, model, missing))
        return {pid: self._vectors[pid] for pid in paper_ids if pid in self._vectors}

    async def profile(self, session: AsyncSession, channel_id: int) -> Profile | None:
        """The channel's library and 👍 papers as positives, 👎 as negatives (None: lexical)."""
        if self.vectors_model is None:
            return None
        library = await library_papers(session, channel_id)
        votes = await channel_votes(session, channel_id)
        return await self.profile_of(session, library, votes)

    async def profile_of(
        self, session: AsyncSession, library: Sequence[Paper], votes: Sequence[tuple[Paper, int]]
    ) -> Profile | None:
        """`profile` from papers already read."""
        if self.vectors_model is None:
            return None
        ids = [p.id for p in library if p.id] + [p.id for p, _ in votes if p.id]
        vectors = await self.vectors(session, ids)
        examples: dict[int, Example] = {}
        for paper, vote in votes:
            if vote > 0 and paper.id in vectors:
                examples[paper.id] = Example(paper.id, paper.title, "liked")
        for paper in library:
            if paper.id in vectors:
                examples[paper.id] = Example(paper.id, paper.title, "library")
        negatives = [vectors[p.id] for p, v in votes if v < 0 and p.id in vectors]
        dims = next(iter(vectors.values())).shape[0] if vectors else 1
        return Profile(
            tuple(examples.values()),
            _matrix([vectors[pid] for pid in examples], dims),
            _matrix(negatives, dims),
        )


def _matrix(rows: Sequence[np.ndarray], dims: int) -> np.ndarray:
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, dims), dtype=np.float32)
