"""`author:` matches real names in any written form, on the recorded arXiv and bioRxiv lists."""

from __future__ import annotations

from bot.digest.corpus import index_doc
from bot.query import IndexDoc
from bot.query.names import names_match, person_name
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.store.papers import _new_row
from tests.bot.query.helpers import doc, matched
from tests.bot.sources.recorded import ARXIV_RSS, biorxiv_page, read


def recorded_docs() -> tuple[list[IndexDoc], list[IndexDoc]]:
    """The recorded quant-ph mailing and bioRxiv page as the index sees them (stored form)."""
    arxiv = parse_arxiv_feed(read(ARXIV_RSS), "recorded").papers
    biorxiv = parse_biorxiv_page(biorxiv_page())[0]
    docs = []
    for number, paper in enumerate((*arxiv, *biorxiv), 1):
        row = _new_row(paper)
        row.id = number
        docs.append(index_doc(row))
    return docs[: len(arxiv)], docs[len(arxiv) :]


def test_the_issues_forms_match_in_both_directions() -> None:
    for form in ("S. Pan", "Pan, Shirui", "Shirui Pan", "pan, s.", "SHIRUI PAN"):
        assert names_match(form, "Shirui Pan"), form
        assert names_match("Shirui Pan", form), form
    for form in ("F. Angaroni", "Fabrizio Angaroni", "Angaroni, Fabrizio"):
        assert names_match(form, "Angaroni, F."), form
    for other in ("X. Pan", "Shirui Wang", "Pan, Xiaoyu", "Shiru Pan"):
        assert not names_match(other, "Shirui Pan"), other


def test_accents_case_initials_and_hyphenated_given_names_fold() -> None:
    assert names_match("J. Gunther", "Jakob Günther")
    assert names_match("GÜNTHER, JAKOB", "Jakob Gunther")
    assert names_match("J.-P. Dupont", "Jean-Pierre Dupont")
    assert names_match("M. G. Genoni", "Marco G. Genoni")
    assert not names_match("M. X. Genoni", "Marco G. Genoni")
    assert names_match("Dr. Percy Liang", "Liang, P.")


def test_every_recorded_arxiv_author_is_found_by_initials_and_inverted_forms() -> None:
    arxiv, _ = recorded_docs()
    checked = 0
    for item in arxiv[:30]:
        for author in item.authors[:3]:
            name = person_name(author)
            if name is None or not name.given:
                continue
            surname = " ".join(w.capitalize() for w in name.surname)
            initials = " ".join(f"{g[0].upper()}." for g in name.given)
            for form in (f"{initials} {surname}", f"{surname}, {name.given[0]}",
                         f"{surname}, {initials}"):  # fmt: skip
                assert item.doc_id in matched(f'author:"{form}"', arxiv), (form, author)
            checked += 1
    assert checked > 50


def test_every_recorded_biorxiv_initials_author_is_found_by_a_full_name() -> None:
    _, biorxiv = recorded_docs()
    assert "Angaroni, F." in {a for d in biorxiv for a in d.authors}
    checked = 0
    for item in biorxiv[:20]:
        for author in item.authors[:3]:
            name = person_name(author)
            if name is None or not name.given:
                continue
            surname = " ".join(w.capitalize() for w in name.surname)
            given = name.given[0].upper() + ("" if len(name.given[0]) > 1 else "ulia")
            for form in (f"{given} {surname}", f"{given[0]}. {surname}", f"{surname}, {given}"):
                assert item.doc_id in matched(f'author:"{form}"', biorxiv), (form, author)
            checked += 1
    assert checked > 30
    fabrizio = matched('author:"Fabrizio Angaroni"', biorxiv)
    assert fabrizio and fabrizio == matched('author:"F. Angaroni"', biorxiv)


def test_a_surname_alone_and_other_people_of_that_surname() -> None:
    docs = [doc(1, authors=("Shirui Pan",)), doc(2, authors=("Xiaoyu Pan",)),
            doc(3, authors=("Pan Zhang",))]  # fmt: skip
    assert matched('author:"S. Pan"', docs) == {1}
    assert matched('author:"Pan"', docs) == {1, 2, 3}  # a bare word also finds a given name
