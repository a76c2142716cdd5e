"""The offline summarizer's 0–100 score: how much checkable substance an abstract reports.

It is NOT a judgment of impact or quality; it counts transparent signals in the abstract:

    base                                                    20
    states a concrete contribution ("we propose …")        +15
    reports an empirical evaluation (a result sentence)    +15
    gives numbers (%, ×, dB, AP, "+1.3", "from 46 to 47")  +15
    compares with baselines / the state of the art         +15
    breadth: several datasets, benchmarks or tasks         +10
    releases code, data or models                          +10
                                                           ---
                                                           100
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.summary.cues import RELEASE
from bot.summary.roles import BACKGROUND_ROLE, RESULT_ROLE

BASE = 20
NO_SIGNALS_REASON = "Offline score: the abstract shows no checkable signals (not an impact rating)."
_NUMBER = re.compile(
    r"\d(?:[\d.,]*\d)?\s*(?:%|×|x\b|dB\b|AP\b|mAP\b|points?\b|fold\b)|[+−-]\d+(?:\.\d+)?\b"
    r"|\bfrom\s+\d[\d.]*\s+to\s+\d",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\boutperform\w*|\bsurpass\w*|\bstate[- ]of[- ]the[- ]art\b|\bsota\b|\bbaselines?\b"
    r"|\bcompared (?:to|with)\b|\bcompetitive with\b|\bexceed\w*",
    re.IGNORECASE,
)
_COUNT = r"(?:two|three|four|five|six|seven|eight|nine|ten|multiple|several|\d+)"
_BREADTH = re.compile(
    rf"\b{_COUNT}\s+(?:[\w-]+\s+){{0,3}}(?:datasets|benchmarks|tasks|domains|languages"
    r"|modalities|settings|environments|scenarios)\b|\bacross\s+(?:diverse|various|multiple)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Signal:
    """One scoring signal: its points and how the reason sentence names it."""

    points: int
    phrase: str


SIGNALS = {
    "contribution": Signal(15, "states a concrete contribution"),
    "evaluation": Signal(15, "reports an evaluation"),
    "numbers": Signal(15, "gives quantitative results"),
    "comparison": Signal(15, "compares with baselines or the state of the art"),
    "breadth": Signal(10, "covers several datasets or tasks"),
    "release": Signal(10, "releases code or data"),
}


def found_signals(
    sentences: Sequence[str], roles: Sequence[str], has_contribution: bool
) -> list[str]:
    """Names of the SIGNALS present in an abstract's sentences and roles."""
    body = " ".join(s for s, r in zip(sentences, roles, strict=True) if r != BACKGROUND_ROLE)
    checks = {
        "contribution": has_contribution,
        "evaluation": RESULT_ROLE in roles,
        "numbers": bool(_NUMBER.search(body)),
        "comparison": bool(_COMPARISON.search(body)),
        "breadth": bool(_BREADTH.search(body)),
        "release": any(RELEASE.search(s) for s in sentences),
    }
    return [name for name, present in checks.items() if present]


def score_abstract(signals: Sequence[str]) -> tuple[int, str]:
    """The 0–100 score for the found signals and a one-sentence reason."""
    score = min(100, BASE + sum(SIGNALS[name].points for name in signals))
    if not signals:
        return score, NO_SIGNALS_REASON
    phrases = [SIGNALS[name].phrase for name in signals]
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return score, f"Offline score from the abstract alone (not an impact rating): it {listed}."
