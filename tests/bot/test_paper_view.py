"""The shared view of a stored paper, and its fields read once for a run's many digests."""

from __future__ import annotations

from bot.digest.model import DigestPaper
from bot.models import Paper
from bot.paper_view import PaperFields, PaperView
from tests.bot.digest.test_render import summary


def _paper(**overrides: object) -> Paper:
    fields = {"id": 7, "key": "arxiv:2501.00007", "title": "Sparse attention", "abstract": "a",
              "authors": ["Ada Lovelace", "Alan Turing"], "categories": ["cs.LG", "cs.AI"],
              "primary_category": "cs.LG", "abs_url": "https://arxiv.org/abs/2501.00007",
              "pdf_url": None, "source": "arxiv"}  # fmt: skip
    return Paper(**{**fields, **overrides})


def test_a_view_built_from_remembered_fields_equals_one_read_from_the_row() -> None:
    paper, fields = _paper(), PaperFields()
    extra = {"number": 1, "announce_type": "new", "version": 1, "relevance": 50.0}
    direct = DigestPaper.of(paper, summary(), **extra)
    assert DigestPaper(**fields.of(paper), summary=summary(), **extra) == direct
    assert direct.authors == ("Ada Lovelace", "Alan Turing") and direct.pdf_url is None
    assert PaperView.of(paper, summary()).categories == ("cs.LG", "cs.AI")


def test_fields_are_read_once_per_paper() -> None:
    fields, paper = PaperFields(), _paper()
    first = fields.of(paper)
    paper.title = "changed after the run read it"
    assert fields.of(paper) is first
    assert fields.of(_paper(id=8, title="Another"))["title"] == "Another"
