"""How much a passage's place in the paper counts when ranking it for a question.

Body sections count fully. The abstract (a summary of everything, rarely the detail asked
for) and tables count a little less, figure captions and appendices less, and boilerplate
least: prompt templates (appendix text addressed to a model, "{user_query}"),
acknowledgements.
"""

from __future__ import annotations

import re

from bot.qa.types import ABSTRACT, Chunk

ABSTRACT_WEIGHT = 0.75
TABLE_WEIGHT = 0.9
FIGURE_WEIGHT = 0.7  # a caption describes a drawing, rarely the detail asked for
APPENDIX_WEIGHT = 0.7
BOILERPLATE_WEIGHT = 0.35
SECTION_BOOST = 1.5
# Kinds of section a question may ask for by name; "not in the paper" when it has none.
SECTION_KINDS = (
    "limitations",
    "future work",
    "ethics",
    "related work",
    "conclusion",
    "ablation",
    "acknowledgements",
)
_APPENDIX = re.compile(r"^§[A-H](?:[.\s]|$)|^appendix\b", re.IGNORECASE)
_TABLE = re.compile(r"^(?:table|figure|fig\.)\s*[\dA-Z]", re.IGNORECASE)
_LABEL = re.compile(r"^§?[\dA-H](?:\.\d+)*\s+")
_PROMPT = re.compile(
    r"\{[a-z_ ]{2,30}\}|\byou are (?:an?|the)\b|\boutput format\b|\bplease,? (?:generate|"
    r"return|provide|answer)\b|\byou should (?:return|provide|answer)\b",
    re.IGNORECASE,
)
_BOILERPLATE_SECTIONS = re.compile(r"acknowledg|funding|author contributions", re.IGNORECASE)


def section_title(section: str) -> str:
    """A section label without its number ("§4.2 Crawler" → "Crawler")."""
    return _LABEL.sub("", section)


def weight(chunk: Chunk) -> float:
    """The multiplier for a chunk's BM25 score (see the module docstring)."""
    if _BOILERPLATE_SECTIONS.search(chunk.section) or len(_PROMPT.findall(chunk.text)) >= 1:
        return BOILERPLATE_WEIGHT
    if chunk.section == ABSTRACT:
        return ABSTRACT_WEIGHT
    if _TABLE.match(chunk.section):
        return TABLE_WEIGHT if chunk.section.lower().startswith("table") else FIGURE_WEIGHT
    if _APPENDIX.match(chunk.section):
        return APPENDIX_WEIGHT
    return 1.0
