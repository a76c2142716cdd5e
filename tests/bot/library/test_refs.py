"""Reading references from chat text and from BibTeX, RIS and CSL-JSON exports."""

from __future__ import annotations

import json

import pytest

from bot.library.crossref import parse_crossref_work
from bot.library.refs import Reference, library_format, parse_references, read_library
from tests.fakes.crossref import CROSSREF_WORK

BIBTEX = r"""
@article{vaswani2017,
  title = {Attention Is {All} You Need},
  author = {Vaswani, Ashish},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
}
@article{schryen2021,
  title = {A Knowledge Development Perspective on Literature Reviews},
  doi = {10.17705/1CAIS.04607},
}
@misc{arxivdoi, title = {By arXiv DOI}, doi = {10.48550/arXiv.2104.12255}}
@book{nothing, title = {A Book Without Identifiers}}
"""

RIS = (
    "TY  - JOUR\nTI  - A Knowledge Development Perspective on Literature Reviews\n"
    "DO  - 10.17705/1cais.04607\nER  - \nTY  - JOUR\nTI  - Attention Is All You Need\n"
    "UR  - https://arxiv.org/abs/1706.03762v5\nER  - \n"
)

CSL = [
    {"type": "article-journal", "title": "Lit reviews", "DOI": "10.17705/1cais.04607"},
    {"type": "article", "title": "Attention", "URL": "http://arxiv.org/abs/1706.03762"},
    {"type": "book", "title": "No id"},
]


def test_chat_references_accept_ids_dois_and_urls() -> None:
    refs, bad = parse_references(
        "2104.12255 https://arxiv.org/abs/1706.03762v2, doi:10.17705/1CAIS.04607 "
        "https://www.biorxiv.org/content/10.1101/2024.01.01.573838v1 nonsense"
    )
    assert refs == [
        Reference(arxiv_id="2104.12255"),
        Reference(arxiv_id="1706.03762"),
        Reference(doi="10.17705/1cais.04607"),
        Reference(doi="10.1101/2024.01.01.573838"),
    ]
    assert bad == ["nonsense"]


@pytest.mark.parametrize(
    ("content", "name"), [(BIBTEX, "my.bib"), (RIS, "export.ris"), (json.dumps(CSL), "x.json")]
)
def test_exports_yield_arxiv_ids_and_dois(content: str, name: str) -> None:
    read = read_library(content, name)
    found = {r.arxiv_id or r.doi for r in read.references}
    assert {"1706.03762", "10.17705/1cais.04607"} <= found
    if name.endswith(".bib"):
        assert "2104.12255" in found  # arXiv's own DOI names the arXiv paper
        assert read.skipped == ["A Book Without Identifiers"]


def test_format_is_detected_by_content_and_bad_files_say_so() -> None:
    assert library_format(BIBTEX) == "bibtex"
    assert library_format(RIS) == "ris"
    assert library_format(json.dumps(CSL)) == "csl-json"
    with pytest.raises(ValueError, match="BibTeX"):
        library_format("hello")
    with pytest.raises(ValueError, match="CSL-JSON"):
        read_library("[not json", "x.json")


def test_recorded_crossref_work_becomes_a_paper() -> None:
    paper = parse_crossref_work(json.loads(CROSSREF_WORK.read_text()))
    assert not isinstance(paper, str)
    assert paper.key == "doi:10.17705/1cais.04607"
    assert paper.title.startswith("A Knowledge Development Perspective")
    assert paper.authors[0] == "Guido Schryen" and "Guy Paré" in paper.authors
    assert paper.primary_category == "Communications of the Association for Information Systems"
    assert paper.announced_on.year == 2021
    assert parse_crossref_work({"status": "failed"}) == "not a Crossref work reply"
