"""The offline summarizer: an extractive summary built from the abstract's own sentences.

Pipeline: clean LaTeX → cut a structured abstract at its headings and drop what is not
summary material (`prepare`: contacts, funding, registrations, text addressed to a model) →
split sentences (pysbd) → assign rhetorical roles (headings, else cue phrases and
position, `roles`) → pick sentences per field (`fields`) → keywords (YAKE, `keywords`) →
a transparent 0–100 score (`score`).

Language: the offline summarizer cannot translate. Its text is always in the abstract's
own language (in practice English); the requested `language` is recorded in the summary
as given so that caching by language works, and renderers that care can compare it.

It never raises on odd input (empty, one sentence, no cue phrases, very long, odd
Unicode); the worst case is a summary with empty fields.
"""

from __future__ import annotations

import pysbd
import yake

from bot.summary.fields import select_fields
from bot.summary.keywords import extract_keywords, make_extractor
from bot.summary.prepare import Prepared, prepare
from bot.summary.roles import assign_roles, find_contribution, states_contribution
from bot.summary.score import found_signals, score_abstract
from bot.summary.sentences import clean_abstract, make_segmenter
from bot.summary.types import PaperText, Summary

OFFLINE_NAME = "offline"
OFFLINE_MODEL = "extractive-pysbd-yake"
OFFLINE_VERSION = "offline-2"
MAX_ABSTRACT_CHARS = 20_000  # longer input is cut (abstracts are ~1–2k chars)


class OfflineSummarizer:
    """Extractive summarizer with no network or model; builds its tools once."""

    name = OFFLINE_NAME
    model = OFFLINE_MODEL
    prompt_version = OFFLINE_VERSION
    language_neutral = True  # the text is the abstract's own: cached once per paper

    def __init__(
        self,
        segmenter: pysbd.Segmenter | None = None,
        extractor: yake.KeywordExtractor | None = None,
    ) -> None:
        self._segmenter = segmenter if segmenter is not None else make_segmenter()
        self._extractor = extractor if extractor is not None else make_extractor()

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        """Summarize one paper (see `summarize_now`; ~10–20 ms of CPU, no awaits)."""
        return self.summarize_now(paper, language)

    def summarize_now(self, paper: PaperText, language: str, *, fallback: bool = False) -> Summary:
        """The synchronous summary; `fallback` marks it as a stand-in for a failed LLM."""
        title = clean_abstract(paper.title or "")
        abstract = clean_abstract((paper.abstract or "")[:MAX_ABSTRACT_CHARS])
        prepared = prepare(self._segmenter, abstract)
        sentences = list(prepared.sentences)
        roles = assign_roles(sentences, prepared.headed)
        contribution = _contribution(prepared)
        fields = select_fields(
            sentences, roles, contribution, title, structured=prepared.structured
        )
        score, reason = score_abstract(found_signals(sentences, roles, contribution is not None))
        return Summary(
            one_line=fields.one_line,
            tldr=fields.tldr,
            motivation=fields.motivation,
            method=fields.method,
            result=fields.result,
            conclusion=fields.conclusion,
            keywords=tuple(extract_keywords(self._extractor, title, prepared.text)),
            score=score,
            score_reason=reason,
            summarizer=self.name,
            model=self.model,
            language=language,
            prompt_version=self.prompt_version,
            fallback=fallback,
        )


def _contribution(prepared: Prepared) -> int | None:
    """The contribution sentence; under a structured abstract's headings only one with a
    contribution cue ("We enrolled 40 patients" there is method, not the aim)."""
    found = find_contribution(prepared.sentences)
    if found is None or not prepared.structured:
        return found
    return found if states_contribution(prepared.sentences[found]) else None
