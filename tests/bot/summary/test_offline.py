"""The offline summarizer: filled fields, keywords, score, edge cases, no crashes, speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.summary.keywords import KEYWORDS_MAX, KEYWORDS_MIN
from bot.summary.lead import lead_baseline
from bot.summary.offline import OfflineSummarizer
from bot.summary.sentences import clean_abstract, make_segmenter, split_sentences
from bot.summary.shorten import ONE_LINE_MAX, TLDR_MAX, make_one_line, make_tldr
from bot.summary.types import PaperText, Summarizer, Summary

REFERENCE_FILE = "arxiv_digest_2512_llm_summaries.jsonl"
ABSTRACT = (
    "Image segmentation is central to medical imaging. However, existing models remain "
    "brittle under domain shift, e.g. across scanners (Fig. 2). In this paper, we propose "
    "ShiftSeg, a test-time adaptation method for segmentation networks. ShiftSeg updates "
    "only normalization layers with an entropy loss. Experiments on four datasets show that "
    "ShiftSeg outperforms state-of-the-art baselines by 4.2% Dice. Code is available at "
    "https://github.com/example/shiftseg."
)


@pytest.fixture(scope="module")
def summarizer() -> OfflineSummarizer:
    """One summarizer for the module (its YAKE extractor is built once)."""
    return OfflineSummarizer()


@pytest.fixture
def reference_papers(reference_dir: Path) -> list[PaperText]:
    """The 124 reference papers as summarizer input."""
    with (reference_dir / REFERENCE_FILE).open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [PaperText(r["arxiv_id"], r["title"], r["abstract"]) for r in rows]


def _check_shape(summary: Summary) -> None:
    """Invariants every offline summary keeps, whatever the input."""
    assert 0 <= summary.score <= 100
    assert summary.score_reason.endswith(".") and summary.score_reason.count(". ") == 0
    assert "not an impact rating" in summary.score_reason
    assert len(summary.one_line) <= ONE_LINE_MAX
    assert len(summary.tldr) <= TLDR_MAX
    assert len(summary.keywords) <= KEYWORDS_MAX
    assert len({k.lower() for k in summary.keywords}) == len(summary.keywords)
    assert summary.summarizer == "offline"


async def test_summary_of_a_typical_abstract(summarizer: OfflineSummarizer) -> None:
    """Each field comes from the right sentence; score counts the visible signals."""
    paper = PaperText("arxiv:0000.00001", "ShiftSeg: Test-Time Adaptation", ABSTRACT)
    summary = await summarizer.summarize(paper, "en")
    _check_shape(summary)
    assert summary.tldr.startswith("Proposes ShiftSeg, a test-time adaptation method")
    assert summary.motivation.startswith("Image segmentation is central")
    assert "remain brittle" in summary.motivation
    assert summary.method.startswith("In this paper, we propose ShiftSeg")
    assert "outperforms" in summary.result
    assert "github" not in summary.conclusion  # a release notice is not a conclusion
    assert summary.score == 100  # contribution, evaluation, numbers, comparison, breadth, code
    assert KEYWORDS_MIN <= len(summary.keywords) <= KEYWORDS_MAX
    assert (summary.language, summary.fallback) == ("en", False)


async def test_reference_papers_are_filled(
    summarizer: OfflineSummarizer, reference_papers: list[PaperText]
) -> None:
    """On real abstracts: tl;dr, one-line, method and 3–8 keywords are always there."""
    summaries = [await summarizer.summarize(p, "en") for p in reference_papers]
    for summary in summaries:
        _check_shape(summary)
        assert summary.tldr and summary.one_line and summary.method
        assert 3 <= len(summary.keywords) <= 8
    # Motivation/result/conclusion stay empty when the abstract has no such sentence;
    # on the reference set that is the exception.
    assert sum(bool(s.motivation) for s in summaries) >= 0.8 * len(summaries)
    assert sum(bool(s.result) for s in summaries) >= 0.7 * len(summaries)
    assert sum(bool(s.conclusion) for s in summaries) >= 0.5 * len(summaries)
    assert len({s.score for s in summaries}) >= 4  # the score discriminates


async def test_language_is_recorded_not_translated(summarizer: OfflineSummarizer) -> None:
    """Offline output stays in the abstract's language; the requested language is recorded."""
    paper = PaperText("k", "T", ABSTRACT)
    english = summarizer.summarize_now(paper, "en")
    chinese = await summarizer.summarize(paper, "zh")
    assert chinese.language == "zh"
    assert chinese.tldr == english.tldr


def test_round_trip_through_dict(summarizer: OfflineSummarizer) -> None:
    """to_dict is JSON-ready and from_dict restores the same summary."""
    summary = summarizer.summarize_now(PaperText("k", "T", ABSTRACT), "en", fallback=True)
    data = json.loads(json.dumps(summary.to_dict()))
    assert Summary.from_dict(data) == summary
    assert Summary.from_dict({**data, "unknown": 1}) == summary


def test_satisfies_the_protocol(summarizer: OfflineSummarizer) -> None:
    """OfflineSummarizer can stand wherever a Summarizer is expected."""
    as_protocol: Summarizer = summarizer
    assert (as_protocol.name, as_protocol.prompt_version) == ("offline", "offline-2")
    assert as_protocol.model


def test_extractor_is_built_once_and_reused() -> None:
    """The YAKE extractor given (or built) at construction is the one used every time."""

    class CountingExtractor:
        calls = 0

        def extract_keywords(self, text: str) -> list[tuple[str, float]]:
            CountingExtractor.calls += 1
            return [("test-time adaptation", 0.1), ("ShiftSeg", 0.2), ("Dice score", 0.3)]

    summarizer = OfflineSummarizer(extractor=CountingExtractor())  # type: ignore[arg-type]
    for _ in range(3):
        summary = summarizer.summarize_now(PaperText("k", "T", ABSTRACT), "en")
    assert CountingExtractor.calls == 3
    assert summary.keywords == ("test-time adaptation", "ShiftSeg", "Dice score")


@pytest.mark.parametrize(
    "abstract",
    [
        "",
        "   \n\t ",
        "We propose X.",
        "Just one plain sentence with no cue at all",
        "Apples are red. Bananas are yellow. Cherries are small. Dates are sweet.",
        ("Deep networks are popular. " * 400)[:10_000],
        "$$ \\\\ {} ~~ %% ... ??? !!!",
        "日本語の要約です。これはテストです。",
        "Ünïcödé ẞ ﬁ \u200b\u202e\ud7ff 🙂 text with e.g. et al. and 3.14 and Fig. 2.",
    ],
)
def test_edge_cases_do_not_crash(summarizer: OfflineSummarizer, abstract: str) -> None:
    """Empty, one sentence, no cues, 10k chars, LaTeX junk and odd Unicode all summarize."""
    _check_shape(summarizer.summarize_now(PaperText("k", "A title here", abstract), "en"))


def test_empty_abstract_falls_back_to_the_title(summarizer: OfflineSummarizer) -> None:
    """With nothing but a title, the tl;dr and one-line are the title; other fields empty."""
    summary = summarizer.summarize_now(PaperText("k", "Graph Neural Networks", ""), "en")
    assert summary.tldr == summary.one_line == "Graph Neural Networks"
    assert summary.motivation == summary.result == summary.conclusion == ""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=st.text(max_size=80), abstract=st.text(max_size=600))
def test_never_crashes_on_arbitrary_text(
    summarizer: OfflineSummarizer, title: str, abstract: str
) -> None:
    """Any Unicode title and abstract give a well-formed summary."""
    _check_shape(summarizer.summarize_now(PaperText("k", title, abstract), "en"))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "we propose",
                "However,",
                "e.g.",
                "et al.",
                "Fig. 2",
                "3.5%",
                "(a)",
                "outperforms",
                "in conclusion",
                "\\textbf{x}",
                "$x^2$",
                "code is available",
                ".",
                " ",
                "\n",
            ]
        ),
        max_size=60,
    )
)
def test_never_crashes_on_cue_soup(parts: list[str]) -> None:
    """Cue phrases and punctuation in any order still summarize."""
    summary = OfflineSummarizer().summarize_now(PaperText("k", "T", " ".join(parts)), "en")
    _check_shape(summary)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("We use e.g. ResNet. It works.", 2),
        ("Smith et al. showed this. We extend it.", 2),
        ("As shown in Fig. 2, accuracy rises. It is 3.14 times higher.", 2),
        ("The model reaches 92.5\\% accuracy. It is \\textit{fast}.", 2),
        ("We study apples.In this paper we go further.", 2),
        ("We split it into (i) power allocation and\n(ii) positioning. Done.", 2),
    ],
)
def test_sentence_splitting(text: str, count: int) -> None:
    """Abbreviations, figure references, decimals and LaTeX do not split sentences."""
    sentences = split_sentences(make_segmenter(), clean_abstract(text))
    assert len(sentences) == count, sentences
    assert "\\" not in " ".join(sentences)


@pytest.mark.parametrize(
    ("sentence", "tldr"),
    [
        ("In this paper, we propose X, a model.", "Proposes X, a model."),
        ("To address this challenge, we introduce Y.", "Introduces Y."),
        ("This study investigates Z.", "Investigates Z."),
        ("We propose and demonstrate W.", "Proposes and demonstrates W."),
        ("Herein, we study V.", "Studies V."),
        ("Neural nets are everywhere.", "Neural nets are everywhere."),
    ],
)
def test_tldr_strips_the_lead_in(sentence: str, tldr: str) -> None:
    """The tl;dr states the action without 'In this paper, we'."""
    assert make_tldr(sentence) == tldr


def test_long_sentences_are_shortened() -> None:
    """Very long contribution sentences lose parentheticals and are cut at a clause."""
    long = (
        "We propose X (a very long aside "
        + "word " * 40
        + "), a method, which "
        + ("does things " * 40)
    )
    assert len(make_tldr(long)) <= TLDR_MAX
    assert "aside" not in make_tldr(long)
    assert len(make_one_line(long)) <= ONE_LINE_MAX


def test_lead_baseline_is_positional() -> None:
    """Lead: tldr and motivation = 1st sentence, method = 2nd, result = 3rd, conclusion = last."""
    lead = lead_baseline("One is here. Two is here. Three is here. Four is here.")
    assert lead == {
        "tldr": "One is here.",
        "motivation": "One is here.",
        "method": "Two is here.",
        "result": "Three is here.",
        "conclusion": "Four is here.",
    }
    assert lead_baseline("Only one.")["result"] == "Only one."
    assert set(lead_baseline("").values()) == {""}
