"""Compiled topic queries evaluated against a PaperIndex: match sets and relevance scores."""

from __future__ import annotations

from dataclasses import dataclass

from bot.query.ast import And, Filter, Node, Not, Or, Term, positive_nodes
from bot.query.index import TEXT_INDEX_FIELDS, PaperIndex
from bot.query.model import Query
from bot.query.names import PersonName, person_name
from bot.query.scoring import ScoredTerm, score_docs
from bot.query.terms import tokenize


@dataclass(frozen=True)
class TextLeaf:
    """Docs whose `fields` contain the token sequence (an author name for field "author")."""

    fields: tuple[str, ...]
    tokens: tuple[str, ...]
    name: PersonName | None = None  # an author term's name, matched by surname and initials


@dataclass(frozen=True)
class FilterLeaf:
    """Docs matching a metadata filter."""

    field: str
    value: str


@dataclass(frozen=True)
class NotPlan:
    """Complement of `child` within the index."""

    child: Plan


@dataclass(frozen=True)
class AndPlan:
    """Intersection of `positives` minus the union of `negatives` (children of Nots)."""

    positives: tuple[Plan, ...]
    negatives: tuple[Plan, ...]


@dataclass(frozen=True)
class OrPlan:
    """Union of `children`."""

    children: tuple[Plan, ...]


Plan = TextLeaf | FilterLeaf | NotPlan | AndPlan | OrPlan


def _term_fields(field: str) -> tuple[str, ...]:
    """Index fields searched by a Term's field."""
    return {"any": TEXT_INDEX_FIELDS, "title": ("title",), "abs": ("abs",)}.get(field, (field,))


def plan_of(node: Node) -> Plan:
    """The evaluation plan of a syntax tree."""
    if isinstance(node, Term):
        name = person_name(node.text) if node.field == "author" else None
        return TextLeaf(_term_fields(node.field), tuple(tokenize(node.text)), name)
    if isinstance(node, Filter):
        return FilterLeaf(node.field, node.value)
    if isinstance(node, Not):
        return NotPlan(plan_of(node.child))
    if isinstance(node, Or):
        return OrPlan(tuple(plan_of(child) for child in node.children))
    assert isinstance(node, And)
    positives = tuple(plan_of(c) for c in node.children if not isinstance(c, Not))
    negatives = tuple(plan_of(c.child) for c in node.children if isinstance(c, Not))
    return AndPlan(positives, negatives)


def evaluate(plan: Plan, index: PaperIndex) -> frozenset[int]:
    """The doc ids of `index` matching `plan` (boolean semantics)."""
    if isinstance(plan, TextLeaf):
        if plan.fields == ("author",):
            named = index.name_docs(plan.name) if plan.name else frozenset()
            return index.author_docs(plan.tokens) | named
        found: set[int] = set()
        for field in plan.fields:
            found.update(index.term_frequencies(field, plan.tokens))
        return frozenset(found)
    if isinstance(plan, FilterLeaf):
        return index.filter_docs(plan.field, plan.value)
    if isinstance(plan, NotPlan):
        return index.all_ids - evaluate(plan.child, index)
    if isinstance(plan, OrPlan):
        return frozenset().union(*(evaluate(child, index) for child in plan.children))
    return _evaluate_and(plan, index)


def _evaluate_and(plan: AndPlan, index: PaperIndex) -> frozenset[int]:
    """Intersect positives smallest-first, stopping early when empty, then subtract negatives."""
    sets = sorted((evaluate(child, index) for child in plan.positives), key=len)
    result = sets[0] if sets else index.all_ids
    for other in sets[1:]:
        if not result:
            return result
        result = result & other
    for negative in plan.negatives:
        if not result:
            break
        result = result - evaluate(negative, index)
    return result


@dataclass(frozen=True)
class CompiledQuery:
    """A query prepared for evaluation: its plan and the text terms that drive its score."""

    query: Query
    plan: Plan
    scored_terms: tuple[ScoredTerm, ...]

    def matches(self, index: PaperIndex) -> frozenset[int]:
        """Doc ids of the papers in `index` that match the query (do not change it)."""
        found: frozenset[int] = index.remember(self, "matches", lambda: evaluate(self.plan, index))
        return found

    def scores(self, index: PaperIndex) -> dict[int, float]:
        """doc_id -> relevance (> 0) for every matching paper; see `bot.query.scoring`
        (the index may share the dict with other callers: do not change it)."""
        table: dict[int, float] = index.remember(
            self, "scores", lambda: score_docs(index, self.matches(index), self.scored_terms)
        )
        return table


def compile_query(query: Query) -> CompiledQuery:
    """Compile a parsed query once; evaluate it against any number of indexes."""
    scored: dict[ScoredTerm, None] = {}
    for leaf in positive_nodes(query.ast):
        if isinstance(leaf, Term) and leaf.field != "author":
            scored[ScoredTerm(_term_fields(leaf.field), tuple(tokenize(leaf.text)))] = None
    return CompiledQuery(query, plan_of(query.ast), tuple(scored))
