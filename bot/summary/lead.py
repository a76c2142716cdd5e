"""The lead-sentence baseline the offline summarizer is measured against.

Definition used ("positional lead", the per-field analogue of the standard Lead-k
baseline of news/scientific summarization): take the abstract's sentences in order and
assign them by position, the way a reader skimming the abstract would —

    tldr       = sentence 1
    motivation = sentence 1
    method     = sentence 2
    result     = sentence 3
    conclusion = the last sentence

A missing position (an abstract shorter than three sentences) falls back to the last
sentence there is; an empty abstract gives empty strings. It uses the same cleaning and
splitting as the offline summarizer, so the comparison measures only sentence choice.
"""

from __future__ import annotations

import pysbd

from bot.summary.sentences import clean_abstract, make_segmenter, split_sentences
from bot.summary.types import SECTION_FIELDS

LEAD_FIELDS = SECTION_FIELDS  # the baseline fills the sections


def lead_baseline(abstract: str, segmenter: pysbd.Segmenter | None = None) -> dict[str, str]:
    """Fill each summary field with the abstract sentence its position dictates."""
    seg = segmenter if segmenter is not None else make_segmenter()
    sentences = split_sentences(seg, clean_abstract(abstract))
    if not sentences:
        return dict.fromkeys(LEAD_FIELDS, "")

    def nth(index: int) -> str:
        return sentences[min(index, len(sentences) - 1)]

    return {
        "tldr": nth(0),
        "motivation": nth(0),
        "method": nth(1),
        "result": nth(2),
        "conclusion": sentences[-1],
    }
