"""A thread's earlier questions and answers as prompt context: recent ones whole, older ones
condensed, the oldest dropped when even that does not fit the token budget.
"""

from __future__ import annotations

import re

from bot.llm.fence import truncate
from bot.qa.retrieve import estimate_tokens

RECENT_TURNS = 2
RECENT_ANSWER_CHARS = 1_500
CONDENSED_QUESTION_CHARS = 160
CONDENSED_ANSWER_CHARS = 220
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?。！？])(?:\s|$)", re.DOTALL)


def condense(turns: list[tuple[str, str]], budget_tokens: int) -> list[str]:
    """Earlier turns as prompt lines, oldest first, within `budget_tokens`."""
    if budget_tokens <= 0 or not turns:
        return []
    cut = max(0, len(turns) - RECENT_TURNS)
    lines = [_condensed(q, a) for q, a in turns[:cut]]
    lines += [_whole(q, a) for q, a in turns[cut:]]
    while lines and sum(estimate_tokens(line) for line in lines) > budget_tokens:
        lines.pop(0)
    return lines


def _whole(question: str, answer: str) -> str:
    return f"Q: {truncate(question, 600)}\nA: {truncate(answer, RECENT_ANSWER_CHARS)}"


def _condensed(question: str, answer: str) -> str:
    first = _FIRST_SENTENCE.match(" ".join(answer.split()))
    gist = first.group(1) if first else answer
    q = truncate(question, CONDENSED_QUESTION_CHARS)
    return f"Q (earlier, condensed): {q}\nA (gist): {truncate(gist, CONDENSED_ANSWER_CHARS)}"


FOLLOW_UP_QUESTIONS = 2
_FOLLOW_UP = re.compile(
    r"^\W*(?:and|but|also|so|what about|how about|then)\b|\b(?:it|its|it's|they|them|their|this"
    r"|that|these|those|he|she|there)\b",
    re.IGNORECASE,
)


def follow_up_context(question: str, turns: list[tuple[str, str]]) -> str:
    """The thread's last questions when `question` leans on them ("and how big is it?"):
    it opens with "and"/"what about" or refers back with "it", "they", "this" …; else ""."""
    if not turns or not _FOLLOW_UP.search(question):
        return ""
    return " ".join(q for q, _ in turns[-FOLLOW_UP_QUESTIONS:])
