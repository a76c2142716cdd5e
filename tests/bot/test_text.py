"""display_text: markup, entities, inline LaTeX and whitespace, on real and hostile strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.journal import parse_journal_feed
from bot.text import display_text
from tests.bot.sources.recorded import ARXIV_RSS, JOURNAL_RSS, read


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Cells &amp; tissues", "Cells & tissues"),
        ("<p>One</p><p>Two</p>", "One Two"),
        ('<div class="boxTitle">Abstract</div>Cells <i>in vivo</i>', "Abstract Cells in vivo"),
        ("<jats:p>JATS <jats:italic>text</jats:italic></jats:p>", "JATS text"),
        (r"operator \(T_w\) on \(L^2(\mathbb R)\)", "operator T_w on L^2(R)"),
        (r"values $\sigma_n$ of $\mathbb{H}$", "values σ_n of H"),
        (r"$\alpha$-helix and \beta-sheet, \Omega", "α-helix and β-sheet, Ω"),
        (r"\textit{in vivo}, \emph{\textbf{very}} \mathrm{d}E", "in vivo, very dE"),
        (r"50\% of A\&B use snake\_case", "50% of A&B use snake_case"),
        (r"Fig.~1 and et~al.", "Fig. 1 and et al."),
        (
            r"Pawe{\l} Caban, Fr\'ed\'eric, Gon\c{c}alves, Mu\~noz",
            "Paweł Caban, Frédéric, Gonçalves, Muñoz",
        ),
        ("x^{2} + y_{ij}", "x^2 + y_ij"),
        ("line\nbreak\ttab\u00a0nbsp   many  \r\n", "line break tab nbsp many"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("a < b and c > d", "a < b and c > d"),
        ("<!channel> *bold* _it_ <@U123>", "<!channel> *bold* _it_ <@U123>"),
        ("https://example.org/~user/x", "https://example.org/~user/x"),
        ("", ""),
    ],
)
def test_display_text(raw: str, shown: str):
    assert display_text(raw) == shown


def test_real_arxiv_abstract_is_clean():
    outcome = parse_arxiv_feed(read(ARXIV_RSS), "u")
    first = display_text(outcome.papers[0].abstract)
    assert first.startswith("We introduce a self-adjoint time operator T_w = iħ(∂_E")
    assert "\\(" not in first and "\n" not in first


def test_real_oup_description_is_clean():
    feed = JOURNAL_RSS / "oup-bioinformatics_rss2_2025-03-22.xml"
    outcome = parse_journal_feed(read(feed), "u")
    shown = display_text(outcome.papers[0].abstract)
    assert shown.startswith("Abstract Summary Cells differentiate to their final fates")
    assert "<" not in shown and "boxTitle" not in shown
    assert "https://github.com/welch-lab/CytoSimplex" in shown


@given(st.text())
def test_never_crashes_and_whitespace_is_collapsed(raw: str):
    shown = display_text(raw)
    assert isinstance(shown, str)
    assert shown == shown.strip()
    assert "  " not in shown and "\n" not in shown and "\t" not in shown


@given(st.text(alphabet=st.sampled_from(list("<>&;/\\$(){}[]~_^*!#%'\"`=.abcpiv \n"))))
def test_never_crashes_on_markup_soup(raw: str):
    assert isinstance(display_text(raw), str)


@given(st.from_regex(r"[A-Za-z0-9 ,.:-]{0,80}", fullmatch=True))
def test_plain_text_only_loses_extra_spaces(raw: str):
    assert display_text(raw) == " ".join(raw.split())
