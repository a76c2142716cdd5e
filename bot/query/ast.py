"""The topic query syntax tree: immutable nodes and a formatter back to query text."""

from __future__ import annotations

from dataclasses import dataclass

TEXT_FIELDS: tuple[str, ...] = ("any", "title", "abs", "author")
FILTER_FIELDS: tuple[str, ...] = ("cat", "source", "subject", "feed", "similar")
KEYWORDS: frozenset[str] = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True)
class Term:
    """A word or "quoted phrase" searched in a text field.

    field: "any" (title or abstract), "title", "abs" (abstract only) or "author".
    text: the value as typed (without quotes); it is tokenized when compiled. A bare word
    that splits into several tokens (`GPT-4`, `large-language-model`) behaves as a phrase.
    """

    field: str
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Filter:
    """A metadata filter; `value` is canonical (category spelling, source, subject, URL)."""

    field: str  # one of FILTER_FIELDS
    value: str


@dataclass(frozen=True)
class Not:
    """Negation: papers not matching `child`."""

    child: Node


@dataclass(frozen=True)
class And:
    """Conjunction of two or more nodes (none of which is itself an And)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction of two or more nodes (none of which is itself an Or)."""

    children: tuple[Node, ...]


Node = Term | Filter | Not | And | Or


def make_and(children: list[Node]) -> Node:
    """An And of `children`, flattening nested Ands; a single child is returned as is."""
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, And) else (child,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def make_or(children: list[Node]) -> Node:
    """An Or of `children`, flattening nested Ors; a single child is returned as is."""
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, Or) else (child,))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _format_value(text: str, quoted: bool) -> str:
    return f'"{text}"' if quoted else text


def format_node(node: Node) -> str:
    """Query text that parses back to `node`."""
    if isinstance(node, Term):
        value = _format_value(node.text, node.phrase)
        return value if node.field == "any" else f"{node.field}:{value}"
    if isinstance(node, Filter):
        return f"{node.field}:{_format_value(node.value, ' ' in node.value)}"
    if isinstance(node, Not):
        return f"-{_format_operand(node.child)}"
    if isinstance(node, And):
        return " ".join(_format_operand(child) for child in node.children)
    return " OR ".join(
        f"({format_node(c)})" if isinstance(c, Or) else format_node(c) for c in node.children
    )


def _format_operand(node: Node) -> str:
    """Format a node that sits inside an And or under a Not."""
    text = format_node(node)
    return f"({text})" if isinstance(node, And | Or) else text


def positive_nodes(node: Node, negated: bool = False) -> list[Term | Filter]:
    """Leaves of `node` that occur under an even number of negations."""
    if isinstance(node, Term | Filter):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_nodes(node.child, not negated)
    leaves: list[Term | Filter] = []
    for child in node.children:
        leaves.extend(positive_nodes(child, negated))
    return leaves
