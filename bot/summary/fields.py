"""Choosing which of an abstract's sentences fill each summary field.

    tldr / one_line  the contribution sentence, shortened (see `shorten`)
    motivation       the last two background sentences before it (context, then the gap);
                     without a contribution sentence, the last two background sentences
    method           the contribution sentence and the next two method sentences
    result           the first three result sentences; with none, the first sentence that
                     reports a measured number (outside the background)
    conclusion       the first conclusion sentence that is not a code/data release notice,
                     else the abstract's closing (non-background, non-release) sentence, which
                     then leaves the result; if it is the only result sentence, the conclusion
                     stays empty rather than repeat the result (no sentence states one)
Every field is capped in length, and a field whose role is absent from the abstract is left
empty rather than filled with a sentence of another role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.summary.cues import RELEASE, REPORTED_NUMBER
from bot.summary.roles import BACKGROUND_ROLE, CONCLUSION_ROLE, METHOD_ROLE, RESULT_ROLE
from bot.summary.shorten import make_one_line, make_tldr

MOTIVATION_SENTENCES, MOTIVATION_MAX = 2, 450
METHOD_SENTENCES, METHOD_MAX = 3, 550
RESULT_SENTENCES, RESULT_MAX = 3, 450
CONCLUSION_MAX = 350


@dataclass(frozen=True)
class Fields:
    """The text fields of a summary, before keywords and score are added."""

    one_line: str
    tldr: str
    motivation: str
    method: str
    result: str
    conclusion: str


def select_fields(
    sentences: Sequence[str],
    roles: Sequence[str],
    contribution: int | None,
    title: str,
    *,
    structured: bool = False,
) -> Fields:
    """Fill every text field from the abstract's own sentences (title as a last resort).

    A `structured` abstract's roles come from its headings, so each field takes its role's
    sentences wherever they stand, and without a contribution sentence the tl;dr is the
    first sentence of its Conclusions.
    """
    pick = list(zip(sentences, roles, strict=True))
    key = _key_sentence(sentences, roles, contribution, structured) or title
    start = 0 if structured or contribution is None else contribution
    intro = pick if structured or contribution is None else pick[:start]
    motivation = [s for s, r in intro if r == BACKGROUND_ROLE][-MOTIVATION_SENTENCES:]
    method = [s for s, r in pick[start:] if r == METHOD_ROLE][:METHOD_SENTENCES]
    closing = _conclusion_index(pick)
    result = [i for i, (_, r) in enumerate(pick) if r == RESULT_ROLE] or _numeric(pick)
    if closing in result:
        if len(result) > 1:
            result.remove(closing)  # the closing result sentence serves as the conclusion
        else:
            closing = None  # the only result sentence: no separate conclusion to show
    return Fields(
        one_line=make_one_line(key) if key else "",
        tldr=make_tldr(key) if key else "",
        motivation=join_within(motivation, MOTIVATION_MAX),
        method=join_within(method, METHOD_MAX),
        result=join_within([sentences[i] for i in result[:RESULT_SENTENCES]], RESULT_MAX),
        conclusion=cap(sentences[closing], CONCLUSION_MAX) if closing is not None else "",
    )


def _numeric(pick: Sequence[tuple[str, str]]) -> list[int]:
    """With no result sentence: the first one that reports a measured number, if any."""
    for i, (sentence, role) in enumerate(pick):
        if role != BACKGROUND_ROLE and REPORTED_NUMBER.search(sentence):
            return [i]
    return []


def _key_sentence(
    sentences: Sequence[str], roles: Sequence[str], contribution: int | None, structured: bool
) -> str:
    """The contribution sentence, else (structured) the first conclusion sentence, else the
    first method sentence, else the first sentence."""
    if contribution is not None:
        return sentences[contribution]
    wanted = (CONCLUSION_ROLE, METHOD_ROLE) if structured else (METHOD_ROLE,)
    for role_wanted in wanted:
        for sentence, role in zip(sentences, roles, strict=True):
            if role == role_wanted and not RELEASE.search(sentence):
                return sentence
    return sentences[0] if sentences else ""


def _conclusion_index(pick: Sequence[tuple[str, str]]) -> int | None:
    """The first non-release conclusion sentence, else the last non-background one."""
    for i, (sentence, role) in enumerate(pick):
        if role == CONCLUSION_ROLE and not RELEASE.search(sentence):
            return i
    for i in range(len(pick) - 1, -1, -1):
        sentence, role = pick[i]
        if role != BACKGROUND_ROLE and not RELEASE.search(sentence):
            return i
    return None


def join_within(sentences: Sequence[str], limit: int) -> str:
    """Join sentences in order while they fit in `limit` chars (the first one always, capped)."""
    out: list[str] = []
    used = 0
    for sentence in sentences:
        if out and used + 1 + len(sentence) > limit:
            break
        out.append(sentence)
        used += len(sentence) + 1
    return cap(" ".join(out), limit)


def cap(text: str, limit: int) -> str:
    """Cut text to `limit` chars at a word boundary, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:") + "…"
