"""Recursive-descent parser for topic queries.

Grammar (operators are upper-case only; lower-case `and`/`or`/`not` are plain words)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*          # OR binds looser than AND
    and_expr:= unary (["AND"] unary)*             # juxtaposition is an implicit AND
    unary   := ("NOT" | "-") unary | primary      # "-" must touch what it negates
    primary := "(" or_expr ")" | WORD | "PHRASE" | FIELD ":" (WORD | "PHRASE")

Every QuerySyntaxError position is a 0-based character offset into the query text: the
offending token's first character, or len(text) when the query ended too early.
"""

from __future__ import annotations

from bot.query.ast import Filter, Node, Not, Or, Term, make_and, make_or
from bot.query.lexer import QuerySyntaxError, Token, tokenize_query
from bot.query.model import Query
from bot.query.terms import tokenize
from bot.query.values import (
    SOURCES,
    canonical_category,
    feed_url,
    is_category,
    is_feed_url,
    subject_key,
)

MAX_QUERY_LENGTH = 500
MAX_DEPTH = 20  # nested parentheses and negations
_STARTS_UNARY = frozenset({"(", "-", "NOT", "WORD", "PHRASE", "FIELD"})
_NO_POSITIVE = "a topic needs at least one positive term"


def parse_query(text: str) -> Query:
    """Parse a topic query; raises QuerySyntaxError (a ValueError) when it is malformed."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"query too long ({len(text)} characters, max {MAX_QUERY_LENGTH})", MAX_QUERY_LENGTH
        )
    if not text.strip():
        raise QuerySyntaxError("empty query")
    node = _Parser(text, tokenize_query(text)).parse()
    if not has_positive(node):
        raise QuerySyntaxError(_NO_POSITIVE, hint="in every OR alternative")
    return Query(text=text, ast=node)


def has_positive(node: Node) -> bool:
    """True if every way `node` can match involves a positive (non-negated) term."""
    if isinstance(node, Term | Filter):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, Or):
        return all(has_positive(child) for child in node.children)
    return any(has_positive(child) for child in node.children)


class _Parser:
    """Parser state: the token list and a cursor."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> Token | None:
        """The current token, or None at the end."""
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def advance(self) -> Token:
        """Consume and return the current token (callers check it exists)."""
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        """Parse the whole token list."""
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError(f"unexpected '{token.text}'", token.pos)
        return node

    def expect_term(self, after: str) -> None:
        """Raise unless the current token can start a term (`after` names what preceded)."""
        token = self.peek()
        if token is None:
            raise QuerySyntaxError(f"missing term after {after}", len(self.text))
        if token.kind not in _STARTS_UNARY:
            raise QuerySyntaxError(f"missing term after {after}", token.pos)

    def or_expr(self) -> Node:
        """or_expr := and_expr ("OR" and_expr)*."""
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.advance()
            self.expect_term("OR")
            children.append(self.and_expr())
        return make_or(children)

    def and_expr(self) -> Node:
        """and_expr := unary (["AND"] unary)*."""
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("missing term", len(self.text))
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(f"missing term before {token.kind}", token.pos)
        if token.kind not in _STARTS_UNARY:
            raise QuerySyntaxError(f"unexpected '{token.text}'", token.pos)
        children = [self.unary()]
        while (token := self.peek()) is not None and token.kind in _STARTS_UNARY | {"AND"}:
            if token.kind == "AND":
                self.advance()
                self.expect_term("AND")
            children.append(self.unary())
        return make_and(children)

    def unary(self) -> Node:
        """unary := ("NOT" | "-") unary | primary."""
        token = self.advance()
        if token.kind in ("NOT", "-", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(f"nested too deeply (at most {MAX_DEPTH} levels)", token.pos)
            try:
                return self._nested(token)
            finally:
                self.depth -= 1
        return build_leaf(token)

    def _nested(self, token: Token) -> Node:
        """A negation or a parenthesized group, one level deeper."""
        if token.kind in ("NOT", "-"):
            self.expect_term("NOT" if token.kind == "NOT" else "'-'")
            return Not(self.unary())
        return self.group(token)

    def group(self, opening: Token) -> Node:
        """The inside of a parenthesized group whose '(' was just consumed."""
        token = self.peek()
        if token is not None and token.kind == ")":
            raise QuerySyntaxError("empty parentheses", opening.pos)
        if token is None:
            raise QuerySyntaxError("unclosed '('", opening.pos)
        node = self.or_expr()
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise QuerySyntaxError("unclosed '('", opening.pos)
        self.advance()
        return node


def build_leaf(token: Token) -> Node:
    """The Term or Filter for a WORD, PHRASE or FIELD token."""
    if token.kind in ("WORD", "PHRASE"):
        return _text_term("any", token.text, token.kind == "PHRASE", token.pos)
    if token.field in ("author", "title", "abs"):
        return _text_term(token.field, token.text, token.quoted, token.pos)
    return _filter(token.field, token.text, token.pos + len(token.field) + 1)


def _text_term(field: str, text: str, phrase: bool, pos: int) -> Term:
    """A Term, checking that its text has something searchable."""
    if not tokenize(text):
        raise QuerySyntaxError(f"no searchable words in '{text}'", pos)
    return Term(field, text, phrase)


def _filter(field: str, value: str, pos: int) -> Filter:
    """A Filter with a validated, canonical value."""
    value = value.strip()
    if field == "cat":
        if not is_category(value):
            raise QuerySyntaxError(f"invalid category '{value}'", pos, "e.g. cs.CL, cs, q-bio")
        return Filter("cat", canonical_category(value))
    if field == "source":
        if value.lower() not in SOURCES:
            raise QuerySyntaxError(f"unknown source '{value}'", pos, f"known: {', '.join(SOURCES)}")
        return Filter("source", value.lower())
    if field == "subject":
        if not subject_key(value):
            raise QuerySyntaxError("missing value after 'subject:'", pos)
        return Filter("subject", subject_key(value))
    if field == "similar":
        if value.lower() != "library":
            raise QuerySyntaxError(
                f"unknown similar:{value}", pos, "similar:library ranks by the channel's library"
            )
        return Filter("similar", "library")
    if not is_feed_url(value):
        raise QuerySyntaxError(f"invalid feed URL '{value}'", pos)
    return Filter("feed", feed_url(value))
