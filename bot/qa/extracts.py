"""The answer without an LLM: the most relevant passages, quoted with their sections."""

from __future__ import annotations

import re

from bot.digest.render import escape_markdown
from bot.qa.retrieve import Retrieval, Scored, tokenize
from bot.qa.types import Chunk

MAX_EXTRACTS = 3
QUOTE_CHARS = 500
NO_LLM = "no LLM configured"
LLM_FAILED = "the LLM did not answer"
BUDGET_SPENT = "today's LLM budget is spent"
HEADINGS = {
    "en": "Extracts from the paper ({reason}):",
    "zh": "论文摘录（{reason}）：",
}
UNDER = {
    "en": "_Not every claim above cites a passage it was given; the passages:_",
    "zh": "_以上回答并非每处都引用了所给段落；所给段落如下：_",
}
NOTHING_MATCHED = "No passage matches the question's words; here is the abstract."
NOT_FOUND = "Not found in the paper: no passage answers this closely. The closest passages are:"
NO_SECTION = "Not found in the paper: it has no {section} section. The closest passages are:"
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[“\"])")


def extracts_answer(
    hits: list[Scored],
    question: str,
    language: str,
    reason: str,
    found: Retrieval | None = None,
) -> str:
    """2–3 quoted passages with their section titles, labelled as extracts; when the best
    one answers weakly (`found.weak`), first an explicit "not found in the paper"."""
    base = language.lower().split("-")[0]
    lines = [HEADINGS.get(base, HEADINGS["en"]).format(reason=reason)]
    matched = [h for h in hits if h.score > 0][:MAX_EXTRACTS]
    if found is not None and found.missing_section and matched:
        lines.append(NO_SECTION.format(section=found.missing_section.capitalize()))
    elif found is not None and found.weak and matched:
        lines.append(NOT_FOUND)
    if not matched:
        lines.append(NOTHING_MATCHED)
        matched = hits[:1]
    for hit in matched:
        lines.append("")
        lines.append(f"**{escape_markdown(hit.chunk.section)}**")
        lines.append("> " + escape_markdown(quote(hit.chunk, question)))
    return "\n".join(lines)


def passages_under(hits: list[Scored], question: str, language: str) -> str:
    """The passages an answer was given, quoted with their sections, to put under it."""
    base = language.lower().split("-")[0]
    lines = [UNDER.get(base, UNDER["en"])]
    for hit in hits[:MAX_EXTRACTS]:
        lines.append("")
        lines.append(f"**{escape_markdown(hit.chunk.section)}**")
        lines.append("> " + escape_markdown(quote(hit.chunk, question)))
    return "\n".join(lines)


def quote(chunk: Chunk, question: str, limit: int = QUOTE_CHARS) -> str:
    """The chunk's sentences that best match the question, in order, within `limit`."""
    sentences = _SENTENCES.split(chunk.text)
    if len(chunk.text) <= limit:
        return chunk.text
    terms = set(tokenize(question))
    ranked = sorted(
        range(len(sentences)), key=lambda i: (-len(terms & set(tokenize(sentences[i]))), i)
    )
    keep: list[int] = []
    used = 0
    for i in ranked:
        if keep and used + len(sentences[i]) > limit:
            continue
        keep.append(i)
        used += len(sentences[i]) + 1
    keep.sort()
    parts: list[str] = []
    for position, i in enumerate(keep):
        gap = i > 0 if position == 0 else i != keep[position - 1] + 1
        parts.append(("… " if gap else "") + sentences[i][: limit + 100])
    tail = " …" if keep[-1] < len(sentences) - 1 else ""
    return " ".join(parts) + tail
