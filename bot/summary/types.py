"""The summary interface: what a summarizer reads, what it returns, and its protocol."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

SUMMARY_TEXT_FIELDS = ("one_line", "tldr", "motivation", "method", "result", "conclusion")
SECTION_FIELDS = SUMMARY_TEXT_FIELDS[1:]  # shown under the title, after the one-liner


@dataclass(frozen=True)
class PaperText:
    """A summarizer's input: a paper's key and its display-normalized title and abstract."""

    key: str
    title: str
    abstract: str


@dataclass(frozen=True)
class Summary:
    """A structured summary of one paper, as stored (JSON) and shown in a digest.

    `keywords` holds 3–8 phrases; `score` is 0–100 with a one-sentence `score_reason`;
    `summarizer` is "offline" or "llm"; `fallback` marks an offline stand-in produced when
    the configured summarizer failed (such a summary is shown but not cached as the LLM's).
    A text field may be empty when the abstract has nothing of that kind (an offline summary
    of an abstract with no distinct conclusion, say); renderers should skip empty fields.
    """

    one_line: str
    tldr: str
    motivation: str
    method: str
    result: str
    conclusion: str
    keywords: tuple[str, ...]
    score: int
    score_reason: str
    summarizer: str
    model: str
    language: str
    prompt_version: str
    fallback: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (keywords as a list)."""
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """Rebuild a summary from `to_dict` output; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["keywords"] = tuple(values.get("keywords", ()))
        values["score"] = int(values.get("score", 0))
        values["fallback"] = bool(values.get("fallback", False))
        return cls(**values)


class Summarizer(Protocol):
    """Anything that turns a paper's text into a `Summary` in a requested language."""

    name: str
    model: str
    prompt_version: str

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        """Summarize one paper; implementations must not raise on odd input."""
        ...
