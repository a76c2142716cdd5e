"""Citation checks of an LLM answer against the passage labels it was given."""

from __future__ import annotations

from bot.qa.citations import check_citations

LABELS = ["§5.1 Experimental Setting", "Abstract", "§3 Datasets"]


def test_each_claim_citing_a_given_label_passes() -> None:
    answer = (
        'Training used 8 NVIDIA H100 GPUs (§5.1 Experimental Setting): "using 8 GPUs".\n\n'
        "- The datasets are AutoScholarQuery and RealScholarQuery, built by the authors (§3).\n"
        "- PaSa is optimized with reinforcement learning on synthetic queries [Abstract]."
    )
    assert check_citations(answer, LABELS).ok


def test_a_claim_without_citation_fails() -> None:
    answer = "PaSa uses a Crawler and a Selector, both trained with reinforcement learning."
    check = check_citations(answer, LABELS)
    assert not check.ok and check.uncited == (answer,)


def test_a_section_that_was_not_given_fails() -> None:
    answer = "The crawler is trained with PPO on a large set of queries (§4.2 Training)."
    assert check_citations(answer, LABELS).unknown == ("§4.2 Training",)


def test_saying_the_paper_does_not_say_needs_no_citation() -> None:
    answer = "The paper does not say which optimizer was used for the Selector's training runs."
    assert check_citations(answer, LABELS).ok
