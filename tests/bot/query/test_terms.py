"""Text normalization: folding, token boundaries, light plural stemming."""

from __future__ import annotations

import pytest

from bot.query.terms import fold, stem, tokenize


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("models", "model"),
        ("agents", "agent"),
        ("studies", "study"),
        ("classes", "class"),
        ("processes", "process"),
        ("approaches", "approach"),
        ("boxes", "box"),
        ("features", "feature"),
        ("areas", "area"),
        ("videos", "video"),
        ("llms", "llm"),
        ("gnns", "gnn"),
        ("lms", "lm"),
        ("analyses", "analysis"),
        ("matrices", "matrix"),
        ("species", "species"),
        ("series", "series"),
    ],
)
def test_plurals_are_reduced(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    "word",
    [
        "analysis",
        "bias",
        "gas",
        "its",
        "this",
        "is",
        "physics",
        "always",
        "loss",
        "corpus",
        "status",
        "basis",
        "axis",
        "has",
        "was",
        "thus",
        "genomics",
        "bioinformatics",
        "lens",
        "model",
        "rag",
        "3d",
        "class",
    ],
)
def test_non_plurals_are_kept(word: str) -> None:
    assert stem(word) == word


def test_fold_removes_case_and_accents() -> None:
    assert fold("Müller") == "muller"
    assert fold("Ångström Ærø") == "angstrom aero"
    assert fold("ŁUKASZ Straße") == "lukasz strasse"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("large-language-model", ["large", "language", "model"]),
        ("Large Language Models", ["large", "language", "model"]),
        ("GPT-4 and RAG", ["gpt", "4", "and", "rag"]),
        ("3D Gaussian Splatting (3DGS)", ["3d", "gaussian", "splatting", "3dg"]),
        ("LLMs' outputs", ["llm", "output"]),
        ("the model's bias", ["the", "model", "bias"]),
        ("snake_case/slash,comma.dot", ["snake", "case", "slash", "comma", "dot"]),
        ("Éléments Über", ["element", "uber"]),
        ("", []),
        ("--- !!", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_stemming_is_idempotent_on_tokens() -> None:
    words = ["models", "studies", "classes", "analysis", "bias", "physics", "approaches", "llms"]
    for word in words:
        assert stem(stem(word)) == stem(word)
