"""Checking an LLM's summary reply: JSON (fences tolerated) validated by a pydantic model.

A batch reply `{"summaries": [{"id": …, <fields>}, …]}` is checked item by item: an item with
an unknown or repeated id, or invalid fields, is left out, and only a reply with no such
list at all is invalid as a whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

import structlog
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.llm.fence import ELLIPSIS
from bot.summary.prompts import MAX_CHARS, MAX_KEYWORD_CHARS, MAX_KEYWORDS
from bot.summary.types import Summary

MIN_KEYWORDS = 1  # the prompt asks for 3–MAX_KEYWORDS; fewer distinct ones still serve
ASKED_KEYWORDS = 3
log = structlog.get_logger(__name__)
_CODE_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


class InvalidOutput(ValueError):
    """The reply is not a valid summary; the message says why (fed back for repair)."""


class SummaryOutput(BaseModel):
    """The fields the LLM must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    one_line: str = Field(min_length=1)
    tldr: str = Field(min_length=1)
    motivation: str
    method: str
    result: str
    conclusion: str
    keywords: list[str] = Field(min_length=MIN_KEYWORDS, max_length=MAX_KEYWORDS)
    score: int = Field(ge=0, le=100)
    score_reason: str = Field(min_length=1)

    @field_validator(*MAX_CHARS, mode="after")
    @classmethod
    def _trim(cls, value: str, info: ValidationInfo) -> str:
        """A string at or past its schema bound, cut back to a word boundary."""
        return trim_words(value, MAX_CHARS[str(info.field_name)])

    @field_validator("keywords", mode="before")
    @classmethod
    def _tidy_keywords(cls, value: Any) -> Any:
        """Drop blanks and repeats and keep the first eight (not worth a repair round)."""
        if not isinstance(value, list):
            return value
        tidy = [
            trim_words(str(k).strip(), MAX_KEYWORD_CHARS, ellipsis="")
            for k in value
            if isinstance(k, str | int | float)
        ]
        unique = list(dict.fromkeys(k for k in tidy if k))
        return unique[:MAX_KEYWORDS]

    def to_summary(self, *, model: str, language: str, prompt_version: str) -> Summary:
        """The stored `Summary` for these fields, marked as made by the LLM."""
        return Summary(
            one_line=self.one_line,
            tldr=self.tldr,
            motivation=self.motivation,
            method=self.method,
            result=self.result,
            conclusion=self.conclusion,
            keywords=tuple(self.keywords),
            score=self.score,
            score_reason=self.score_reason,
            summarizer="llm",
            model=model,
            language=language,
            prompt_version=prompt_version,
        )


def trim_words(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """`text` if shorter than `limit`; else cut at the last whole word (a string that
    reached its bound was most likely cut mid-word: "self-adjt"), with an ellipsis."""
    text = " ".join(text.split())
    if len(text) < limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + ellipsis


def parse_output(content: str) -> SummaryOutput:
    """Parse and validate a reply; raises `InvalidOutput` with a short, model-readable reason."""
    data = _json_object(content)
    try:
        output = SummaryOutput.model_validate(data)
    except ValidationError as error:
        raise InvalidOutput(_reasons(error)) from error
    log_repairs(data)
    return output


def parse_batch(content: str, ids: Collection[str]) -> dict[str, SummaryOutput]:
    """The valid items of a batch reply by id (first item per id wins; unknown ids dropped).

    Raises `InvalidOutput` only when the reply is not a JSON object with a "summaries" list.
    """
    items = _json_object(content).get("summaries")
    if not isinstance(items, list):
        raise InvalidOutput('"summaries" must be a list with one object per paper')
    found: dict[str, SummaryOutput] = {}
    seen: set[str] = set()
    for item in items:
        key = str(item.get("id", "")).strip() if isinstance(item, dict) else ""
        if key not in ids or key in seen:
            continue
        seen.add(key)
        try:
            found[key] = SummaryOutput.model_validate(item)
        except ValidationError:
            continue
        log_repairs(item, paper=key)
    return found


def repairs(item: dict[str, Any]) -> list[str]:
    """What leniency fixed in an accepted item (kept usable rather than sent for repair)."""
    raw = item.get("keywords")
    if not isinstance(raw, list):
        return []
    usable = [str(k).strip() for k in raw if isinstance(k, str | int | float) and str(k).strip()]
    distinct = len(dict.fromkeys(usable))
    notes = []
    if len(raw) != distinct:
        notes.append(f"keywords: dropped {len(raw) - distinct} blank or repeated")
    if distinct > MAX_KEYWORDS:
        notes.append(f"keywords: kept the first {MAX_KEYWORDS} of {distinct}")
    if MIN_KEYWORDS <= distinct < ASKED_KEYWORDS:
        notes.append(f"keywords: accepted {distinct} (asked for {ASKED_KEYWORDS}-{MAX_KEYWORDS})")
    return notes


def log_repairs(item: dict[str, Any], **context: str) -> None:
    """Log what leniency fixed in an accepted item, if anything."""
    notes = repairs(item)
    if notes:
        log.info("llm.summary_repaired", repairs=notes, **context)


def _json_object(content: str) -> dict[str, Any]:
    try:
        data = json.loads(_json_text(content))
    except json.JSONDecodeError as error:
        raise InvalidOutput(f"not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise InvalidOutput("the reply must be a JSON object")
    return data


def _json_text(content: str) -> str:
    """The JSON inside a reply, tolerating ```json fences and chatter around one object."""
    text = _CODE_FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def _reasons(error: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['msg']}" for e in error.errors()
    ]
    return "; ".join(parts)
