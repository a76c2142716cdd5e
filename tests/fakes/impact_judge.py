"""A fake LLM judge of paper impact: answers "A or B" from a hidden true order, with noise.

It reads the two fenced titles of a judgment request, looks both up in the hidden order
(best first) and names the better one, except for a fixed share of pairs whose answer is
flipped. Which judgments are flipped depends only on the question asked (the user message),
so a run gives the same answers whatever order the concurrent requests arrive in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from tests.fakes.openai_server import Completion

_TITLES = re.compile(
    r'<paper id="([AB])">\s*<category>.*?</category>\s*<title>(.*?)</title>', re.DOTALL
)


def user_text(body: dict[str, Any]) -> str:
    """A request's user message."""
    return next((m["content"] for m in body["messages"] if m["role"] == "user"), "")


def judged_pair(body: dict[str, Any]) -> tuple[str, str] | None:
    """The (A, B) titles of a judgment request, or None for another kind of request."""
    found = dict(_TITLES.findall(user_text(body)))
    return (found["A"], found["B"]) if set(found) == {"A", "B"} else None


def flipped(prompt: str, noise: float) -> bool:
    """Whether the judge errs on this exact question (a fixed `noise` share of questions)."""
    digest = hashlib.sha256(prompt.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < noise


class HiddenOrderJudge:
    """A responder for FakeOpenAIServer that judges by a hidden order of titles."""

    def __init__(self, order: Sequence[str], noise: float = 0.0, salt: str = "") -> None:
        self.rank = {title: n for n, title in enumerate(order)}
        self.noise = noise
        self.salt = salt  # another salt flips another set of questions
        self.pairs: list[tuple[str, str]] = []

    def place(self, title: str) -> float:
        """The title's place in the hidden order; unlisted titles by a hash, after the listed."""
        if title in self.rank:
            return self.rank[title]
        return len(self.rank) + int.from_bytes(hashlib.sha256(title.encode()).digest()[:4], "big")

    def __call__(self, body: dict[str, Any]) -> Completion:
        pair = judged_pair(body)
        assert pair is not None, "not a judgment request"
        self.pairs.append(pair)
        first, second = pair
        a_wins = self.place(first) < self.place(second)
        if flipped(self.salt + user_text(body), self.noise):
            a_wins = not a_wins
        reason = f"{'A' if a_wins else 'B'} opens a broader line of work. It is also timely."
        reply = {"winner": "A" if a_wins else "B", "reason": reason}
        return Completion(json.dumps(reply), prompt_tokens=420, completion_tokens=60)
