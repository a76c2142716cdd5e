"""Checking an LLM answer's citations against the passage labels it was given.

The prompt asks for the section of every claim, e.g. "(§4.2 Experiments)". A small model
often cites nothing, or a section it was not shown. Each claim (a paragraph or a bullet of
some length) must cite at least one given label, and no citation may name a section that
was not given; a claim that says the paper does not say something needs no citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CLAIM_WORDS = 8  # a block shorter than this is not a claim (a greeting, a heading)
_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_CITES = re.compile(r"\(([^()]{1,120})\)|\[([^\[\]]{1,120})\]")
_SECTION_REF = re.compile(r"§\s*[\w.]+|\bsection\s+[\w.]+", re.IGNORECASE)
_NOT_SAID = re.compile(
    r"does(?:n't| not) (?:say|state|mention|specify|report|give|describe)|not (?:stated|"
    r"mentioned|specified|reported|given)|no (?:information|passage)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CitationCheck:
    """Which claims cite no given label, and which citations name a label not given."""

    uncited: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every claim cites a given label and no citation is invented."""
        return not self.uncited and not self.unknown


def check_citations(answer: str, labels: Iterable[str]) -> CitationCheck:
    """Check each claim of `answer` against the passage `labels` it was given."""
    given = [_norm(label) for label in labels if label.strip()]
    uncited: list[str] = []
    unknown: list[str] = []
    for block in (b.strip() for b in _BLOCKS.split(answer)):
        cites = [a or b for a, b in _CITES.findall(block)]
        matched = [c for c in cites if _matches(c, given)]
        unknown += [c for c in cites if c not in matched and _SECTION_REF.search(c)]
        if matched or len(block.split()) < CLAIM_WORDS or _NOT_SAID.search(block):
            continue
        uncited.append(block)
    return CitationCheck(tuple(uncited), tuple(unknown))


def _matches(citation: str, given: list[str]) -> bool:
    """A citation names a given label: its "§n.m" tag, or its title, or the whole label."""
    text = _norm(citation)
    for label in given:
        tag, _, title = label.partition(" ")
        if label in text or (tag.startswith("§") and re.search(rf"{re.escape(tag)}\b", text)):
            return True
        if title and len(title) >= 4 and title in text:
            return True
        if not tag.startswith("§") and len(label) >= 4 and label in text:
            return True
    return False


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("§ ", "§").split())
