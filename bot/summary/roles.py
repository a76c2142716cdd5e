"""Rhetorical roles of an abstract's sentences, from cue phrases and position.

The four roles are background (context, problem, gap), method (what the paper does and
how), result (what it found or measured) and conclusion (take-aways, releases). The
contribution sentence ("we propose …") is a method sentence and is found separately by
`find_contribution`, because the summary's tl;dr is built from it.

Rules, in order, for a sentence at index i:
1. the contribution sentence is method;
2. before the contribution, a sentence is background (abstracts open with context), unless
   the authors act in it ("we address …": method) or it plainly reports numbers (result);
   a heading of a structured abstract ("Methods:") overrides all of these;
3. an explicit concluding opener ("in conclusion", "overall") → conclusion; a sentence that
   reports a measured number ("12.5%", "p < 0.01", `REPORTED_NUMBER`) → result;
   a strong conclusion cue ("these results suggest", "code is available") → conclusion;
4. a strong result cue ("outperforms", "experiments show", "92.1%") → result;
5. a strong background cue ("however … remain … challenge"), or any background cue in a
   statement about the field (no "we", "our", "this …" and no method cue) → background,
   but only before the first result (after results, a "however" reports a limitation found);
6. once results have started, a sentence with no method cue continues the results;
7. the last sentence, with none of the above → conclusion;
8. otherwise method.
The contribution is the first sentence with a contribution cue ("we propose", "this study
evaluates"), else the first with a passive one ("X is proposed", "the proposed X"), else the
first sentence in which the authors act ("we evaluate …"). Without any, the first third of
the abstract plays the part of rule 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.summary.cues import (
    AUTHOR_ACTION,
    BACKGROUND,
    CONCLUDING_OPENER,
    CONCLUSION,
    CONTRIBUTION,
    CONTRIBUTION_PASSIVE,
    METHOD,
    RELEASE,
    REPORTED_NUMBER,
    RESULT,
    STRONG,
)
from bot.summary.cues import cue_score as _score

BACKGROUND_ROLE = "background"
METHOD_ROLE = "method"
RESULT_ROLE = "result"
CONCLUSION_ROLE = "conclusion"
ROLES = (BACKGROUND_ROLE, METHOD_ROLE, RESULT_ROLE, CONCLUSION_ROLE)


def find_contribution(sentences: Sequence[str]) -> int | None:
    """Index of the first sentence stating the paper's own contribution, or None.

    A cue in the closing part of a longer abstract ("We propose that X is due to …" after the
    findings) states an interpretation, not the contribution, and is not looked for there.
    """
    early = sentences[: max(4, -(-len(sentences) * 2 // 3))]
    for table in (CONTRIBUTION, CONTRIBUTION_PASSIVE):
        for i, sentence in enumerate(early):
            if _score(sentence, table) > 0:
                return i
    for i, sentence in enumerate(sentences):
        if AUTHOR_ACTION.search(sentence):
            return i
    return None


def states_contribution(sentence: str) -> bool:
    """True when the sentence has a contribution cue ("we propose", "X is introduced")."""
    return any(_score(sentence, table) > 0 for table in (CONTRIBUTION, CONTRIBUTION_PASSIVE))


def assign_roles(sentences: Sequence[str], headed: Sequence[str | None] | None = None) -> list[str]:
    """Give every sentence one of ROLES (see the module docstring for the rules).

    `headed` gives the role a structured abstract's heading names for each sentence (None
    where no heading says); a heading's role wins over every cue.
    """
    n = len(sentences)
    given = list(headed) if headed is not None else [None] * n
    contribution = find_contribution(sentences)
    intro_end = contribution if contribution is not None else n // 3
    roles: list[str] = []
    seen_result = False
    for i, sentence in enumerate(sentences):
        if given[i] is not None:
            role = str(given[i])
        elif i == contribution:
            role = METHOD_ROLE
        elif i < intro_end:
            role = _intro_role(sentence)
        else:
            role = _body_role(sentence, is_last=i == n - 1, seen_result=seen_result)
        seen_result = seen_result or role == RESULT_ROLE
        roles.append(role)
    return roles


def _intro_role(sentence: str) -> str:
    """Role of a sentence before the contribution: background unless the authors act."""
    if AUTHOR_ACTION.search(sentence):
        return METHOD_ROLE
    if _score(sentence, RESULT) >= 2 * STRONG:
        return RESULT_ROLE
    if REPORTED_NUMBER.search(sentence) and _score(sentence, RESULT) >= STRONG:
        return RESULT_ROLE
    return BACKGROUND_ROLE


def _body_role(sentence: str, *, is_last: bool, seen_result: bool) -> str:
    """Role of a sentence after the contribution sentence (rules 3–8)."""
    if CONCLUDING_OPENER.search(sentence):
        return CONCLUSION_ROLE
    if REPORTED_NUMBER.search(sentence) and not RELEASE.search(sentence):
        return RESULT_ROLE
    if _score(sentence, CONCLUSION) >= STRONG:
        return CONCLUSION_ROLE
    if _score(sentence, RESULT) >= STRONG:
        return RESULT_ROLE
    has_method_cue = _score(sentence, METHOD) >= 1
    if not seen_result and _score(sentence, BACKGROUND) >= (1 if _generic(sentence) else STRONG):
        return BACKGROUND_ROLE
    if seen_result and not has_method_cue:
        return RESULT_ROLE
    if is_last and not has_method_cue:
        return CONCLUSION_ROLE
    return METHOD_ROLE


_OWN_WORK = re.compile(r"\b(?:we|our|us|this\s+\w+|the\s+proposed|here)\b", re.IGNORECASE)


def _generic(sentence: str) -> bool:
    """A statement about the field, not the paper's own work (no "we", "our", "this …")."""
    return not _OWN_WORK.search(sentence) and _score(sentence, METHOD) < 1
