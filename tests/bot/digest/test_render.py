"""Neutral Markdown for digests: paper text can never ping, link or break formatting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.digest.model import Digest, DigestPaper, DigestSection
from bot.digest.render import (
    escape_markdown,
    header_markdown,
    paper_markdown,
    summary_line,
    trim_authors,
)
from bot.summary.types import Summary

HOSTILE = "A <b>bold</b> & *starry* _under_ <!channel> [x](http://evil) `code` <@U123>"


def summary(**overrides: object) -> Summary:
    values: dict[str, object] = {
        "one_line": "One line.",
        "tldr": "We do X.",
        "motivation": "Y is hard.",
        "method": "We use Z.",
        "result": "It works.",
        "conclusion": "Good.",
        "keywords": ("x", "y", "z"),
        "score": 60,
        "score_reason": "Has results.",
        "summarizer": "offline",
        "model": "",
        "language": "en",
        "prompt_version": "1",
    }
    values.update(overrides)
    return Summary(**values)  # type: ignore[arg-type]


def digest_paper(**overrides: object) -> DigestPaper:
    values: dict[str, object] = {
        "number": 1,
        "paper_id": 1,
        "key": "arxiv:2504.00001",
        "title": "A title",
        "authors": ("A", "B"),
        "primary_category": "cs.CL",
        "categories": ("cs.CL",),
        "abs_url": "https://arxiv.org/abs/2504.00001",
        "pdf_url": "https://arxiv.org/pdf/2504.00001v1",
        "announce_type": "new",
        "version": 1,
        "relevance": 3.2,
        "summary": summary(),
    }
    values.update(overrides)
    return DigestPaper(**values)  # type: ignore[arg-type]


def test_escape_markdown_neutralises_every_special_character() -> None:
    escaped = escape_markdown(HOSTILE)
    for raw in ("<b>", "*starry*", "_under_", "<!channel>", "[x]", "`code`", "<@U123>"):
        assert raw not in escaped
    assert escaped.replace("\\", "") == HOSTILE


def test_hostile_title_and_summary_are_escaped_in_the_paper_message() -> None:
    text = paper_markdown(digest_paper(title=HOSTILE, summary=summary(tldr=HOSTILE)), "en")
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "[x](http://evil)" not in text and "\\[x\\]" in text
    assert "(https://arxiv.org/abs/2504.00001)" in text


def test_authors_are_trimmed_with_et_al() -> None:
    assert trim_authors(("A", "B", "C")) == "A, B, C"
    assert trim_authors(("A", "B", "C", "D")) == "A, B, C et al."


def test_header_has_date_counts_by_category_and_switches_language() -> None:
    papers = (digest_paper(number=1), digest_paper(number=2, paper_id=2))
    digest = Digest(
        channel_id=1,
        digest_date=date(2025, 4, 28),
        language="en",
        sections=(
            DigestSection("cs.CL", papers),
            DigestSection("cs.LG", (digest_paper(number=3, paper_id=3),)),
        ),
        matched=7,
    )
    header = header_markdown(digest)
    assert "**Papers for 2025-04-28**" in header
    assert "3 new papers (of 7 that matched your topics)" in header
    assert "cs.CL (2) · cs.LG (1)" in header
    chinese = header_markdown(replace(digest, language="zh"))
    assert "2025-04-28 论文速递" in chinese
    assert "要点" in paper_markdown(digest_paper(), "zh")


def test_replacement_is_labelled_with_its_version() -> None:
    text = paper_markdown(digest_paper(announce_type="replace", version=3), "en")
    assert "(new version v3)" in text


def test_the_one_liner_is_each_papers_first_line() -> None:
    """Issue 15: the one-liner leads the paper's message; a tl;dr equal to it is not repeated."""
    text = paper_markdown(digest_paper(summary=summary(one_line="Finds *X*.")), "en")
    assert text.splitlines()[0] == "Finds \\*X\\*."
    assert text.splitlines()[1].startswith("**1. [")
    same = paper_markdown(digest_paper(summary=summary(one_line="Same.", tldr="Same.")), "en")
    assert "TL;DR" not in same and same.splitlines()[0] == "Same."


def _digest_of(*papers: DigestPaper, matched: int) -> Digest:
    return Digest(channel_id=1, digest_date=date(2025, 4, 28), language="en",
                  sections=(DigestSection("cs.CL", papers),), matched=matched)  # fmt: skip


def test_one_paper_is_one_new_paper_and_new_versions_are_not_counted_as_new() -> None:
    assert "1 new paper (of 1 that matched your topics)" in header_markdown(
        _digest_of(digest_paper(), matched=1)
    )
    mixed = _digest_of(
        digest_paper(), digest_paper(number=2, paper_id=2),
        digest_paper(number=3, paper_id=3, announce_type="replace", version=2), matched=4,
    )  # fmt: skip
    assert "2 new papers and 1 new version (of 4 that matched your topics)" in header_markdown(
        mixed
    )
    only = _digest_of(digest_paper(announce_type="replace-cross", version=2), matched=1)
    assert summary_line(only) == "1 new version (of 1 that matched your topics)"
