"""`bench/biomed.py`: defect counts and role agreement on the recorded bio/med abstracts."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import biomed
from bot.summary.offline import OfflineSummarizer
from bot.summary.types import PaperText, Summary


@pytest.fixture(scope="module")
def summarizer() -> OfflineSummarizer:
    return OfflineSummarizer()


def test_recorded_fixtures_have_no_defects(summarizer: OfflineSummarizer) -> None:
    """Every recorded bioRxiv record, bioRxiv RSS item and journal item: 0 of each defect."""
    papers = biomed.fixture_papers()
    assert len(papers) >= 90
    table = biomed.count_defects(papers, summarizer)
    total = Counter()
    for row in table.values():
        total.update(row)
    assert {d: total[d] for d in biomed.DEFECTS} == dict.fromkeys(biomed.DEFECTS, 0)
    assert "heading glued" in biomed.render(table)


def test_structured_fixture_abstracts_agree_with_their_headings(
    summarizer: OfflineSummarizer,
) -> None:
    """Measured 92%: the misses are conclusions taken from the closing Results sentence of
    abstracts with no Conclusions section (Bioinformatics' Motivation/Results format)."""
    agreement = biomed.role_agreement(biomed.fixture_papers(), summarizer)
    assert agreement["abstracts"] >= 5
    assert agreement["headings"] >= 0.9


def test_the_defect_checks_can_fail() -> None:
    """Each check fires on the defect it names (so a zero is a real zero)."""
    fields = dict.fromkeys(biomed.TEXT_FIELDS, "Plain text.")
    bad = {
        "tldr": "Useds nanoparticle beads.",
        "motivation": "DiscussionThis study shows.",
        "method": "We thank the Pedigree team. Contact: a@b.org",
        "result": "",
        "conclusion": "Registered at ClinicalTrials.gov NCT01234567; funded by NIH grant no 5.",
    }
    summary = Summary(
        **{**fields, **bad}, keywords=(), score=0, score_reason="", summarizer="offline",
        model="", language="en", prompt_version="",
    )
    abstract = "We used nanoparticle beads. Mortality fell by 12% (p < 0.01)."
    found = biomed.defects(summary, abstract)
    assert {"non-word start", "heading glued", "ack", "contact", "registration", "funding",
            "empty Result"} <= found
    assert PaperText  # the bench summarizes PaperText inputs
