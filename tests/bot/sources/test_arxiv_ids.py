"""arXiv identifier and DOI parsing."""

from __future__ import annotations

import pytest

from bot.sources.arxiv_ids import (
    find_arxiv_ids,
    find_doi,
    find_dois,
    normalize_arxiv_id,
    normalize_doi,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2504.17830", ("2504.17830", None)),
        ("2504.17830v2", ("2504.17830", 2)),
        ("arXiv:2504.17830", ("2504.17830", None)),
        ("arxiv: 2504.17830v3", ("2504.17830", 3)),
        ("https://arxiv.org/abs/2504.17830v1", ("2504.17830", 1)),
        ("http://arxiv.org/pdf/1611.09520v2", ("1611.09520", 2)),
        ("https://arxiv.org/pdf/2504.17830v1.pdf", ("2504.17830", 1)),
        ("https://export.arxiv.org/abs/0704.0001", ("0704.0001", None)),
        ("hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("http://arxiv.org/abs/cond-mat/0102536v1", ("cond-mat/0102536", 1)),
        ("math.AG/0309136", ("math.AG/0309136", None)),
        ("oai:arXiv.org:2504.17830v1", ("2504.17830", 1)),
        (" 2504.17830 ", ("2504.17830", None)),
    ],
)
def test_parse_arxiv_id(text: str, parsed: tuple[str, int | None]):
    assert parse_arxiv_id(text) == parsed


@pytest.mark.parametrize(
    "text", ["", "abc", "2504.178", "2513.17830", "10.1101/2025.04.09.647123", "arXiv:", "1234"]
)
def test_not_arxiv_ids(text: str):
    assert parse_arxiv_id(text) is None
    assert normalize_arxiv_id(text) is None


def test_find_arxiv_ids_in_text():
    text = (
        "See arXiv:2504.17830v2 and https://arxiv.org/abs/2504.17837, also hep-th/9901001 "
        "and again 2504.17830; not 10.1101/2025.04.09.647123 nor 3.14159 nor 2504.1783012."
    )
    assert find_arxiv_ids(text) == ["2504.17830", "2504.17837", "hep-th/9901001"]


def test_find_arxiv_ids_empty():
    assert find_arxiv_ids("") == []


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1101/2025.04.09.647123", "10.1101/2025.04.09.647123"),
        ("doi:10.1101/2025.04.07.647590", "10.1101/2025.04.07.647590"),
        ("https://doi.org/10.1093/Bioinformatics/BTAF123", "10.1093/bioinformatics/btaf123"),
        ("http://doi.org/10.1093/bioinformatics/btaf123", "10.1093/bioinformatics/btaf123"),
        ("info:doi/10.1126/science.356.6343.1134-a", "10.1126/science.356.6343.1134-a"),
        (
            "https://www.biorxiv.org/content/10.1101/2025.04.09.647123v1",
            "10.1101/2025.04.09.647123",
        ),
        (
            "https://www.biorxiv.org/content/10.1101/2025.04.07.647590v1?rss=1",
            "10.1101/2025.04.07.647590",
        ),
        (
            "https://www.medrxiv.org/content/10.1101/2024.01.02.123456v3.full.pdf",
            "10.1101/2024.01.02.123456",
        ),
        ("(see doi:10.1371/journal.pcbi.1012994).", "10.1371/journal.pcbi.1012994"),
        (
            "https://bmcbioinformatics.biomedcentral.com/articles/10.1186/s12859-025-06113-4",
            "10.1186/s12859-025-06113-4",
        ),
    ],
)
def test_find_doi(text: str, doi: str):
    assert find_doi(text) == doi
    assert normalize_doi(text) == doi


def test_no_doi():
    assert find_doi("no identifier here, 10.5 percent") is None
    assert find_doi("") is None


def test_find_dois_in_order_without_repeats():
    text = (
        "doi:10.1186/s12859-025-06113-4 and 10.1101/2025.04.09.647123v2, "
        "then DOI:10.1186/S12859-025-06113-4"
    )
    assert find_dois(text) == ["10.1186/s12859-025-06113-4", "10.1101/2025.04.09.647123"]
