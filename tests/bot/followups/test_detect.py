"""What a re-check finds: versions, code, venues and withdrawals, on recorded arXiv entries."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.followups.detect import (
    Event,
    Snapshot,
    code_links,
    events,
    merged,
    sentence_diff,
    snapshot_of,
)
from bot.followups.kinds import switched_on
from bot.followups.render import render
from bot.sources.arxiv_api import parse_arxiv_api
from bot.sources.types import FetchedPaper
from tests.conftest import FIXTURES

CROSSREF = (
    Path(__file__).resolve().parents[2]
    / "fixtures" / "followups" / "crossref_works_10.1371_journal.ppat.1008184_vcr_cassette.yaml"
)  # fmt: skip
TESTING = FIXTURES / "arxiv_api" / "arxiv_api_recorded_search-testing_start0_max10_2026-04-12.json"


def recorded(arxiv_id: str) -> FetchedPaper:
    papers, _, _ = parse_arxiv_api(json.loads(TESTING.read_text())["body"].encode())
    return next(p for p in papers if p.arxiv_id == arxiv_id)


def as_posted(paper: FetchedPaper, version: int = 1) -> Snapshot:
    """What the store held when the paper was posted from the RSS feed (no comment, no DOI)."""
    return Snapshot(version=version, abstract=paper.abstract)


def test_a_later_version_with_a_venue_is_a_version_and_a_publication() -> None:
    paper = recorded("2204.08348")  # v3, with a DOI and a journal reference
    found = events(as_posted(paper), snapshot_of(paper))
    assert [e.kind for e in found] == ["version:3", "published"]
    version, published = found
    assert version.added == () and version.removed == ()
    assert version.comment.startswith("13 pages, 6 figures")
    text = render(version)
    assert text.startswith("**v3 is out.**") and "The abstract is unchanged." in text
    assert published.doi == "10.1145/3533767.3534401"
    assert "https://doi.org/10.1145/3533767.3534401" in render(published)


def test_the_abstract_difference_is_said_as_sentences_added_and_removed() -> None:
    paper = recorded("2005.14124")
    old_abstract = recorded("2202.12139").abstract  # another real abstract stands for v1
    found = events(Snapshot(1, old_abstract), snapshot_of(paper))
    version = found[0]
    assert version.added and version.removed
    assert set(version.added) <= set(sentence_diff("", paper.abstract)[0])
    text = render(version)
    assert "Added to the abstract: “" in text and "No longer in the abstract: “" in text


def test_nothing_new_is_nothing_said_and_a_second_look_repeats_nothing() -> None:
    paper = recorded("2405.13786")
    now = snapshot_of(paper)
    assert events(now, now) == []
    first = events(Snapshot(1, paper.abstract), now)
    assert [e.kind for e in first] == ["published"]  # same version, a DOI appeared
    assert events(merged(Snapshot(1, paper.abstract), now), now) == []


def test_code_links_from_abstract_and_comment() -> None:
    text = "Code: https://github.com/org/repo. Weights at https://huggingface.co/org/model), "
    assert code_links(text, "see https://zenodo.org/records/123;") == (
        "https://github.com/org/repo",
        "https://huggingface.co/org/model",
        "https://zenodo.org/records/123",
    )
    paper = replace(recorded("1202.4527"), comment="Code at https://gitlab.com/lab/tool")
    found = events(snapshot_of(recorded("1202.4527")), snapshot_of(paper))
    assert [e.kind for e in found] == ["code"]
    assert render(found[0]) == "**Code released**: https://gitlab.com/lab/tool"


@pytest.mark.parametrize(
    "comment",
    [
        "This paper has been withdrawn by the author due to a crucial error in Lemma 2",
        "paper withdrawn",
        "Withdrawn by the authors",
    ],
)
def test_a_withdrawal_is_said_alone(comment: str) -> None:
    paper = recorded("1202.4527")
    withdrawn = replace(paper, version=2, comment=comment)
    found = events(snapshot_of(paper), snapshot_of(withdrawn))
    assert [e.kind for e in found] == ["withdrawn"]
    assert render(found[0]).startswith("**Withdrawn.** arXiv lists v2 of this paper as withdrawn.")


def test_kinds_a_channel_switches_off_never_include_withdrawals() -> None:
    assert switched_on("") == ("version", "code", "published", "withdrawn")
    assert switched_on("code,published,withdrawn") == ("version", "withdrawn")


def test_an_unknown_kind_fails_loudly() -> None:
    with pytest.raises(ValueError, match="unknown follow-up kind"):
        render(Event("mystery"))


def test_crossref_gives_the_venue_and_a_new_version_update_is_no_retraction() -> None:
    import yaml

    from bot.followups.lookups import work_details

    cassette = yaml.safe_load(CROSSREF.read_text())
    work = json.loads(cassette["interactions"][1]["response"]["body"]["string"])["message"]
    details = work_details(work)
    assert details["journal"] == "PLOS Pathogens" and "notice" not in details
    assert details["date"].startswith("20") and details["title"]
    event = Event("published", doi="10.1371/journal.ppat.1008184", extra=details)
    text = render(event)
    assert text.startswith("**Published** in *PLOS Pathogens* (") and details["title"] in text
    retracted = work_details({**work, "updated-by": [{"DOI": "10.1371/x", "type": "retraction"}]})
    assert retracted["notice"] == "10.1371/x"
    assert render(Event("withdrawn", extra=retracted)).startswith("**Retracted.**")
