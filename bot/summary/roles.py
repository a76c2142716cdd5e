"""Rhetorical roles of an abstract's sentences, from cue phrases and position.

The four roles are background (context, problem, gap), method (what the paper does and
how), result (what it found or measured) and conclusion (take-aways, releases). The
contribution sentence ("we propose …") is a method sentence and is found separately by
`find_contribution`, because the summary's tl;dr is built from it.

Rules, in order, for a sentence at index i:
1. the contribution sentence is method;
2. before the contribution, a sentence is background (abstracts open with context), unless
   the authors act in it ("we address …": method) or it plainly reports numbers (result);
3. a strong conclusion cue ("these results suggest", "code is available") → conclusion;
4. a strong result cue ("outperforms", "experiments show", "92.1%") → result;
5. a strong background cue ("however … remain … challenge") → background, but only before
   the first result (after results, a "however" reports a limitation found);
6. once results have started, a sentence with no method cue continues the results;
7. the last sentence, with none of the above → conclusion;
8. otherwise method.
The contribution is the first sentence with a contribution cue ("we propose", "this study
evaluates"), else the first with a passive one ("X is proposed", "the proposed X"), else the
first sentence in which the authors act ("we evaluate …"). Without any, the first third of
the abstract plays the part of rule 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.summary.cues import (
    AUTHOR_ACTION,
    BACKGROUND,
    CONCLUSION,
    CONTRIBUTION,
    CONTRIBUTION_PASSIVE,
    METHOD,
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
    """Index of the first sentence stating the paper's own contribution, or None."""
    for table in (CONTRIBUTION, CONTRIBUTION_PASSIVE):
        for i, sentence in enumerate(sentences):
            if _score(sentence, table) > 0:
                return i
    for i, sentence in enumerate(sentences):
        if AUTHOR_ACTION.search(sentence):
            return i
    return None


def assign_roles(sentences: Sequence[str]) -> list[str]:
    """Give every sentence one of ROLES (see the module docstring for the rules)."""
    n = len(sentences)
    contribution = find_contribution(sentences)
    intro_end = contribution if contribution is not None else n // 3
    roles: list[str] = []
    seen_result = False
    for i, sentence in enumerate(sentences):
        if i == contribution:
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
    return BACKGROUND_ROLE


def _body_role(sentence: str, *, is_last: bool, seen_result: bool) -> str:
    """Role of a sentence after the contribution sentence (rules 3–8)."""
    if _score(sentence, CONCLUSION) >= STRONG:
        return CONCLUSION_ROLE
    if _score(sentence, RESULT) >= STRONG:
        return RESULT_ROLE
    if not seen_result and _score(sentence, BACKGROUND) >= STRONG:
        return BACKGROUND_ROLE
    has_method_cue = _score(sentence, METHOD) >= 1
    if seen_result and not has_method_cue:
        return RESULT_ROLE
    if is_last and not has_method_cue:
        return CONCLUSION_ROLE
    return METHOD_ROLE
