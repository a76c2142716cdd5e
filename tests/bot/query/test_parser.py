"""Parser: each construct, each error message with its position."""

from __future__ import annotations

import pytest

from bot.query import MAX_QUERY_LENGTH, Query, QuerySyntaxError, parse_query
from bot.query.ast import And, Filter, Not, Or, Term, format_node


def ast(text: str) -> object:
    """The syntax tree of `text`."""
    return parse_query(text).ast


def test_bare_word_and_phrase() -> None:
    assert ast("transformer") == Term("any", "transformer")
    assert ast('"retrieval augmented"') == Term("any", "retrieval augmented", phrase=True)


def test_implicit_and_explicit_and_are_the_same() -> None:
    expected = And((Term("any", "a"), Term("any", "b"), Term("any", "c")))
    assert ast("a b c") == expected
    assert ast("a AND b AND c") == expected
    assert ast("a AND (b c)") == expected


def test_or_binds_looser_than_and() -> None:
    assert ast("a b OR c") == Or((And((Term("any", "a"), Term("any", "b"))), Term("any", "c")))
    assert ast("a (b OR c)") == And((Term("any", "a"), Or((Term("any", "b"), Term("any", "c")))))


def test_lowercase_operators_are_words() -> None:
    assert ast("a or b") == And((Term("any", "a"), Term("any", "or"), Term("any", "b")))


def test_negation_forms() -> None:
    minus = ast("llm -survey")
    assert minus == And((Term("any", "llm"), Not(Term("any", "survey"))))
    assert ast("llm NOT survey") == minus
    assert ast('llm -"position paper"') == And(
        (Term("any", "llm"), Not(Term("any", "position paper", phrase=True)))
    )
    assert ast("llm -(a OR b)") == And(
        (Term("any", "llm"), Not(Or((Term("any", "a"), Term("any", "b")))))
    )


def test_inner_hyphen_is_part_of_the_word() -> None:
    assert ast("state-of-the-art") == Term("any", "state-of-the-art")
    assert ast("GPT-4") == Term("any", "GPT-4")


def test_text_fields() -> None:
    assert ast('author:"Percy Liang"') == Term("author", "Percy Liang", phrase=True)
    assert ast("author:liang") == Term("author", "liang")
    assert ast("title:diffusion") == Term("title", "diffusion")
    assert ast('abs:"zero shot"') == Term("abs", "zero shot", phrase=True)
    assert ast("TITLE:x") == Term("title", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cat:cs.CL", "cs.CL"),
        ("cat:cs.cl", "cs.CL"),
        ("cat:CS", "cs"),
        ("cat:q-bio", "q-bio"),
        ("cat:q-bio.nc", "q-bio.NC"),
        ("cat:cond-mat.MES-HALL", "cond-mat.mes-hall"),
        ("cat:physics.optics", "physics.optics"),
    ],
)
def test_categories_are_canonicalized(text: str, expected: str) -> None:
    assert ast(text) == Filter("cat", expected)


def test_source_subject_feed() -> None:
    assert ast("source:bioRxiv") == Filter("source", "biorxiv")
    assert ast('subject:"Cancer Biology"') == Filter("subject", "cancer biology")
    assert ast("subject:cancer_biology") == Filter("subject", "cancer biology")
    url = "https://www.nature.com/subjects/bioinformatics.atom"
    assert ast(f"feed:{url}") == Filter("feed", url)
    assert ast("feed:www.nature.com/x.rss") == Filter("feed", "https://www.nature.com/x.rss")


def test_the_brief_example() -> None:
    text = 'cat:cs.CL ("retrieval augmented" OR RAG) -survey author:"Percy Liang"'
    query = parse_query(text)
    assert isinstance(query, Query)
    assert query.text == text
    assert query.ast == And(
        (
            Filter("cat", "cs.CL"),
            Or((Term("any", "retrieval augmented", phrase=True), Term("any", "RAG"))),
            Not(Term("any", "survey")),
            Term("author", "Percy Liang", phrase=True),
        )
    )
    assert format_node(query.ast) == text


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('cat:cs.CL ("retrieval', "unclosed quote", 11),
        ('abc "', "unclosed quote", 4),
        ("a b)", "unexpected ')'", 3),
        ("(a) )", "unexpected ')'", 4),
        (")", "unexpected ')'", 0),
        ("foo:bar", "unknown field 'foo:'", 0),
        ("llm Http://x", "unknown field 'Http:'", 4),
        ("cat:cs.CL OR", "missing term after OR", 12),
        ("a OR )", "missing term after OR", 5),
        ("a OR OR b", "missing term after OR", 5),
        ("OR a", "missing term before OR", 0),
        ("(AND a)", "missing term before AND", 1),
        ("a AND", "missing term after AND", 5),
        ("a NOT", "missing term after NOT", 5),
        ("a - b", "missing term after '-'", 2),
        ("a (", "unclosed '('", 2),
        ("(a (b)", "unclosed '('", 0),
        ("x ()", "empty parentheses", 2),
        ('x ""', "empty phrase", 2),
        ("cat: x", "missing value after 'cat:'", 0),
        ("title:(a OR b)", "missing value after 'title:'", 0),
        ("source:x", "unknown source 'x'", 7),
        ("cat:cs..CL", "invalid category 'cs..CL'", 4),
        ("feed:nonsense", "invalid feed URL 'nonsense'", 5),
        ("llm &", "no searchable words in '&'", 4),
    ],
)
def test_error_messages_and_positions(text: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert info.value.message == message
    assert info.value.position == position
    assert str(info.value).startswith(f"{message} at {position}")


def test_error_strings_read_well() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("foo:bar")
    assert str(info.value) == (
        "unknown field 'foo:' at 0 (known: cat, author, title, abs, source, subject, feed, similar)"
    )
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("llm source:x")
    assert str(info.value) == ("unknown source 'x' at 11 (known: arxiv, biorxiv, medrxiv, journal)")


def test_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unexpected"):
        parse_query("a)")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_query(text: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert str(info.value) == "empty query"
    assert info.value.position == 0


@pytest.mark.parametrize(
    "text", ["-survey", "NOT survey", "-a -b", "-cat:cs.CL", "llm OR -survey", "-(a b)"]
)
def test_only_negations_is_an_error(text: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert info.value.message == "a topic needs at least one positive term"
    assert info.value.position == 0
    assert str(info.value) == "a topic needs at least one positive term (in every OR alternative)"


@pytest.mark.parametrize("text", ["cat:cs.CV -survey", "a -(b -c)", "(a OR b) -c"])
def test_negation_with_a_positive_term_is_fine(text: str) -> None:
    assert parse_query(text).text == text


def test_length_cap() -> None:
    ok = "a " * (MAX_QUERY_LENGTH // 2)
    assert parse_query(ok[:MAX_QUERY_LENGTH])
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("a" * (MAX_QUERY_LENGTH + 1))
    assert f"max {MAX_QUERY_LENGTH}" in str(info.value)
    assert info.value.position == MAX_QUERY_LENGTH


def test_query_is_frozen_and_hashable() -> None:
    query = parse_query("a (b OR c)")
    assert hash(query) == hash(parse_query("a (b OR c)"))
    with pytest.raises(AttributeError):
        query.text = "x"  # type: ignore[misc]


def test_canonical_rendering() -> None:
    assert parse_query("cat:cs.cl  AND  (x OR y)").canonical() == "cat:cs.CL (x OR y)"
