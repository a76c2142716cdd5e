"""Checking LLM replies and naming languages in the prompt."""

from __future__ import annotations

import json

import pytest

from bot.summary.llm_output import InvalidOutput, parse_output
from bot.summary.prompts import language_name, summary_messages

FIELDS = {
    "one_line": "x", "tldr": "x", "motivation": "", "method": "", "result": "",
    "conclusion": "", "keywords": ["a", "b", "c"], "score": 50, "score_reason": "x",
}  # fmt: skip


def test_fenced_json_with_chatter_is_accepted() -> None:
    reply = "Here you go:\n```json\n" + json.dumps(FIELDS) + "\n```"
    assert parse_output(reply).score == 50


def test_keywords_are_deduplicated_and_cut_to_eight() -> None:
    words = ["a", "a", " b ", "", *[f"k{i}" for i in range(10)]]
    output = parse_output(json.dumps({**FIELDS, "keywords": words}))
    assert output.keywords == ["a", "b", "k0", "k1", "k2", "k3", "k4", "k5"]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("[1, 2]", "JSON object"),
        ("{'one_line': 'x'}", "not valid JSON"),
        (json.dumps({**FIELDS, "score": "high"}), "score"),
        (json.dumps({k: v for k, v in FIELDS.items() if k != "tldr"}), "tldr"),
    ],
)
def test_invalid_replies_say_why(reply: str, reason: str) -> None:
    with pytest.raises(InvalidOutput, match=reason):
        parse_output(reply)


@pytest.mark.parametrize(
    ("code", "name"),
    [("zh", "Simplified Chinese"), ("ja", "Japanese"), ("pt-BR", "Portuguese"), ("eo", "eo")],
)
def test_language_names(code: str, name: str) -> None:
    assert language_name(code) == name
    assert name in summary_messages("T", "A", code)[0]["content"]


def test_braces_in_paper_text_are_kept_verbatim() -> None:
    user = summary_messages("Sets {x}", "We bound {n} by {0}.", "en")[1]["content"]
    assert "<title>Sets {x}</title>" in user and "We bound {n} by {0}." in user


def test_two_distinct_keywords_are_accepted_and_the_repair_is_logged() -> None:
    """A real model's 2 keywords keep its good fields (no repair round, no offline fallback)."""
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        output = parse_output(json.dumps({**FIELDS, "keywords": ["CRISPR", "crispr ", "CRISPR"]}))
    assert output.keywords == ["CRISPR", "crispr"]
    [entry] = [e for e in logs if e["event"] == "llm.summary_repaired"]
    assert any("dropped 1" in note for note in entry["repairs"])
    assert any("accepted 2" in note for note in entry["repairs"])


def test_no_keyword_at_all_is_still_invalid() -> None:
    with pytest.raises(InvalidOutput, match="keywords"):
        parse_output(json.dumps({**FIELDS, "keywords": [" ", ""]}))


def test_strings_at_their_bound_are_trimmed_at_a_word_boundary() -> None:
    from bot.summary.llm_output import trim_words

    assert trim_words("a model that is self-adjt", 25) == "a model that is…"
    assert trim_words("short enough", 25) == "short enough"
    assert trim_words("量子" * 20, 10) == "量子" * 5 + "…"
