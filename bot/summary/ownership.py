"""Does each field of a batched summary belong to its own paper?

A small model summarizing several papers at once mixes them up: paper 1 gets paper 3's
method, a TL;DR is the whole abstract. A field belongs to its paper when it shares more
content words with that paper (title and abstract) than with any other paper of the batch;
words every paper of the batch has ("quantum", "model") tell nothing and are left out, and
a field with no telling word at all passes (it cannot be placed). A field that copies the
abstract wholesale fails too, batched or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.qa.retrieve import tokenize
from bot.summary.llm_output import SummaryOutput
from bot.summary.types import SUMMARY_TEXT_FIELDS, PaperText

COPY_WORDS = 30  # a field this long (or half the abstract, if shorter; 12 at least) …
COPY_NGRAM_SHARE = 0.85  # … almost all of it in the abstract's own word order, is a copy
NGRAM = 4
_WORD = re.compile(r"[^\W_]+")


def _fields(output: SummaryOutput) -> dict[str, str]:
    texts = {name: str(getattr(output, name)) for name in SUMMARY_TEXT_FIELDS}
    texts["keywords"] = " ".join(output.keywords)
    return texts


def copied_field(output: SummaryOutput, paper: PaperText) -> str | None:
    """The first text field that copies the paper's abstract wholesale, if any."""
    abstract = _words(paper.abstract)
    grams = _ngrams(abstract)
    for name in SUMMARY_TEXT_FIELDS:
        words = _words(str(getattr(output, name)))
        if len(words) < max(12, min(COPY_WORDS, len(abstract) / 2)):
            continue
        own = _ngrams(words)
        if own and len(own & grams) >= COPY_NGRAM_SHARE * len(own):
            return name
    return None


def misplaced(outputs: Sequence[SummaryOutput], papers: Sequence[PaperText]) -> list[str]:
    """Per paper (in order), why its summary fails the checks ("" when it passes)."""
    vocab = [set(tokenize(f"{p.title} {p.abstract}")) for p in papers]
    common = set.intersection(*vocab) if vocab else set()
    telling = [words - common for words in vocab]
    reasons: list[str] = []
    for n, (output, paper) in enumerate(zip(outputs, papers, strict=True)):
        copied = copied_field(output, paper)
        wrong = [name for name, text in _fields(output).items() if not _owned(text, n, telling)]
        if copied:
            reasons.append(f"{copied} copies the abstract")
        elif wrong:
            reasons.append("fields of another paper: " + ", ".join(wrong))
        else:
            reasons.append("")
    return reasons


def _owned(text: str, own: int, telling: list[set[str]]) -> bool:
    words = set(tokenize(text))
    shared = [len(words & paper) for paper in telling]
    others = max((c for i, c in enumerate(shared) if i != own), default=0)
    return others == 0 or shared[own] > others


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}
