"""Role assignment against hand labels on 25 reference abstracts.

The labels below were written by reading each abstract (split by `split_sentences`) before
the cue phrases in `bot.summary.cues` existed; they were not copied from the summarizer's
output. One letter per sentence: B background/motivation, M method, R result,
C conclusion, ? ambiguous (not scored). `contribution` is the set of sentence indices
acceptable as the paper's contribution (tl;dr) sentence; two where both are defensible.

Asserted: the roles agree with ≥ 90% of the scored sentence labels (measured: 188/192), and
the contribution sentence is an acceptable one in ≥ 22 of the 25 abstracts (measured: 25).
Known disagreements are listed by the failure message, e.g. a closing "Our system maintains
deployment efficiency" read as a result, or "we present preliminary results" as method.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.summary.roles import (
    BACKGROUND_ROLE,
    CONCLUSION_ROLE,
    METHOD_ROLE,
    RESULT_ROLE,
    ROLES,
    assign_roles,
    find_contribution,
)
from bot.summary.sentences import clean_abstract, make_segmenter, split_sentences

ROLE_AGREEMENT_MIN = 0.90
CONTRIBUTION_AGREEMENT_MIN = 22

LETTER = {"B": BACKGROUND_ROLE, "M": METHOD_ROLE, "R": RESULT_ROLE, "C": CONCLUSION_ROLE}

# arxiv_id: (roles per sentence, acceptable contribution sentence indices)
HAND_LABELS: dict[str, tuple[str, frozenset[int]]] = {
    "2512.19711": ("BBMMMRRRC", frozenset({2})),  # PHANTOM
    "2512.19918": ("BBBBMRMMMMC", frozenset({4, 6})),  # Widget2Code: benchmark, then baseline
    "2512.20113": ("BBMMMRRRRCC", frozenset({2})),  # bridge-deck multimodal attention
    "2512.20251": ("BBMMMMMRC", frozenset({2})),  # DAMP
    "2512.20000": ("BBBMMMR", frozenset({3})),  # MIVA
    "2512.20029": ("BBBBMMBMMRC", frozenset({4})),  # H2em: "In this paper, we argue" is motivation
    "2512.20104": ("BBBMMRRRC", frozenset({3})),  # activation functions for HAR
    "2512.20128": ("BBMMMMMRC", frozenset({2})),  # milliMamba
    "2512.20213": ("BBBBMMMR", frozenset({4})),  # JDPNet
    "2512.20260": ("BBMMMR", frozenset({2})),  # D3ETOR
    "2512.20377": ("BBMMMMRC", frozenset({2})),  # SmartSplat
    "2512.20451": ("BBBMRRRRC", frozenset({3})),  # physical forces for motion understanding
    "2512.20538": ("BBMMMMR", frozenset({3})),  # AlignPose
    "2512.20606": ("BB?MRC", frozenset({3})),  # DiTracker: "we find" premise is ambiguous
    "2512.20093": ("MMMMR", frozenset({0})),  # 360-degree NVC
    "2512.19963": ("MMMMMMR", frozenset({0, 2})),  # RSMA pinching antennas
    "2512.20018": ("M", frozenset({0})),  # EDA-RoF, a one-sentence abstract
    "2512.20533": ("BBMMRC", frozenset({2})),  # over-the-air goal-oriented communications
    "2512.19937": ("BBBMRRR", frozenset({3})),  # interpolative decoding
    "2512.20052": ("BBBMMMR", frozenset({3})),  # SOF skills from videos
    "2512.20135": ("BMMMMRRC", frozenset({1})),  # MolAct
    "2512.20206": ("BBBBMMMC", frozenset({4})),  # TongSIM
    "2512.20333": ("BBMMMRR", frozenset({2})),  # SynCraft
    "2512.20548": ("BBMMMMMMR", frozenset({2})),  # T-MED (glued "expression.In this paper")
    "2512.20108": ("BBMMMMMR", frozenset({2})),  # generative Bayesian spectrum cartography
}


@pytest.fixture
def labelled_sentences(reference_dir: Path) -> dict[str, list[str]]:
    """The split sentences of every hand-labelled abstract."""
    rows = {}
    path = reference_dir / "arxiv_digest_2512_llm_summaries.jsonl"
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows[row["arxiv_id"]] = row["abstract"]
    segmenter = make_segmenter()
    return {key: split_sentences(segmenter, clean_abstract(rows[key])) for key in HAND_LABELS}


def test_labels_match_the_sentence_split(labelled_sentences: dict[str, list[str]]) -> None:
    """The labels index sentences; a change in splitting must show up here first."""
    assert len(HAND_LABELS) >= 20
    wrong = {
        key: (len(labels), len(labelled_sentences[key]))
        for key, (labels, _) in HAND_LABELS.items()
        if len(labels) != len(labelled_sentences[key])
    }
    assert not wrong, f"label count vs sentence count differ: {wrong}"


def test_roles_agree_with_hand_labels(labelled_sentences: dict[str, list[str]]) -> None:
    """assign_roles agrees with at least ROLE_AGREEMENT_MIN of the scored hand labels."""
    disagreements: list[str] = []
    scored = 0
    for key, (labels, _) in HAND_LABELS.items():
        sentences = labelled_sentences[key]
        for index, (letter, got) in enumerate(zip(labels, assign_roles(sentences), strict=True)):
            if letter == "?":
                continue
            scored += 1
            if LETTER[letter] != got:
                disagreements.append(
                    f"{key}[{index}] want {LETTER[letter]}, got {got}: {sentences[index][:80]}"
                )
    agreement = 1 - len(disagreements) / scored
    assert agreement >= ROLE_AGREEMENT_MIN, (
        f"role agreement {agreement:.1%} over {scored} sentences; disagreements:\n"
        + "\n".join(disagreements)
    )


def test_contribution_sentence_agrees(labelled_sentences: dict[str, list[str]]) -> None:
    """find_contribution picks an acceptable tl;dr sentence in most labelled abstracts."""
    misses = [
        f"{key}: want {sorted(accepted)}, got {find_contribution(labelled_sentences[key])}"
        for key, (_, accepted) in HAND_LABELS.items()
        if find_contribution(labelled_sentences[key]) not in accepted
    ]
    hits = len(HAND_LABELS) - len(misses)
    assert hits >= CONTRIBUTION_AGREEMENT_MIN, "contribution misses:\n" + "\n".join(misses)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ([], []),
        (["We propose a thing."], [METHOD_ROLE]),
        (
            [
                "Segmentation is hard.",
                "However, existing methods remain limited.",
                "We propose X, a new network.",
                "X uses a decoder.",
                "Experiments show that X outperforms baselines by 3%.",
                "In conclusion, X is useful.",
            ],
            [
                BACKGROUND_ROLE,
                BACKGROUND_ROLE,
                METHOD_ROLE,
                METHOD_ROLE,
                RESULT_ROLE,
                CONCLUSION_ROLE,
            ],
        ),
    ],
)
def test_assign_roles_small_cases(sentences: list[str], expected: list[str]) -> None:
    """The rules on hand-made abstracts, including the empty and one-sentence ones."""
    assert assign_roles(sentences) == expected


def test_no_cue_phrases_uses_position() -> None:
    """Without any cue, the first third is background and the last sentence concludes."""
    sentences = [f"Sentence number {n} talks about apples." for n in range(6)]
    roles = assign_roles(sentences)
    assert set(roles) <= set(ROLES)
    assert roles[0] == BACKGROUND_ROLE
    assert roles[-1] == CONCLUSION_ROLE
