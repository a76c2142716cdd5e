"""What must be fetched so that every paper a query can match is in the corpus.

The needs of a node are a set of "atoms" `(source, key)` whose fetched listings together
contain every paper the node can match; the special atom ANYWHERE means "a paper from
anywhere" (unconstrained):

* a text term (word, phrase, `title:`, `abs:`, `author:`) is unconstrained;
* `cat:cs.CL` -> `("arxiv", "cs.CL")`; archive-only `cat:cs` -> `("arxiv", "cs")`;
* `source:biorxiv` -> `("biorxiv", "*")` (the whole server);
* `subject:genomics` -> `("biorxiv", "genomics")` and `("medrxiv", "genomics")`;
* `feed:URL` -> `("journal", URL)`;
* a negation is unconstrained: a negated filter is never a need (`-cat:cs.CV` fetches nothing);
* `A OR B` is the union of both sides (`cat:cs.CL OR llm` needs cs.CL *and* the defaults);
* `A B` (AND) is the pairwise *meet* of both sides' atoms: ANYWHERE meets X as X (so
  `cat:cs.CL llm` needs only cs.CL, `-cat:cs.CV llm` the defaults); atoms of different
  sources cannot both hold and are dropped (`cat:cs.CL source:biorxiv` needs nothing); a
  whole source narrows to its key (`source:biorxiv subject:x` -> bioRxiv subject x); for two
  keys of one source the first is kept (a paper in cs.CL AND cs.LG is in the cs.CL listing),
  except that an archive narrows to its subcategory (`cat:cs cat:cs.CL` -> cs.CL).

If ANYWHERE survives to the top, `needs_default` is set: some way of matching names no
category/source/feed, so the caller also fetches its default categories. `source:arxiv`
with no `cat:` becomes "arxiv" in `whole_sources`, which the caller should also read as
"the default arXiv categories"; "biorxiv"/"medrxiv" there mean the server's whole day,
"journal" every configured journal feed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.query.ast import And, Filter, Node, Not, Or, Term
from bot.query.values import archive_of, category_key, feed_key

Atom = tuple[str, str]
WHOLE = "*"
ANYWHERE: Atom = ("*", "*")  # the needs of a text term or a negation: no constraint


@dataclass(frozen=True)
class SourceNeeds:
    """The listings a query (or a channel's set of queries) needs fetched."""

    arxiv_categories: frozenset[str] = frozenset()  # canonical spelling: "cs.CL", "q-bio"
    biorxiv_subjects: frozenset[str] = frozenset()  # subject keys: "cancer biology"
    medrxiv_subjects: frozenset[str] = frozenset()
    journal_feeds: frozenset[str] = frozenset()  # URLs to fetch, as typed (scheme added)
    whole_sources: frozenset[str] = frozenset()  # sources named by source: without narrowing
    needs_default: bool = False  # some match path names no category/source/feed

    def union(self, other: SourceNeeds) -> SourceNeeds:
        """Needs of a channel subscribed to both (field-wise union)."""
        return SourceNeeds(
            self.arxiv_categories | other.arxiv_categories,
            self.biorxiv_subjects | other.biorxiv_subjects,
            self.medrxiv_subjects | other.medrxiv_subjects,
            self.journal_feeds | other.journal_feeds,
            self.whole_sources | other.whole_sources,
            self.needs_default or other.needs_default,
        )


def filter_atoms(node: Filter) -> frozenset[Atom]:
    """The atoms a single positive filter needs."""
    if node.field == "cat":
        return frozenset({("arxiv", node.value)})
    if node.field == "source":
        return frozenset({(node.value, WHOLE)})
    if node.field == "subject":
        return frozenset({("biorxiv", node.value), ("medrxiv", node.value)})
    return frozenset({("journal", node.value)})


def meet(left: Atom, right: Atom) -> Atom | None:
    """One atom whose listing holds every paper matching both, or None if none can."""
    if left == ANYWHERE:
        return right
    if right == ANYWHERE:
        return left
    if left[0] != right[0]:
        return None
    if left[1] == WHOLE:
        return right
    if right[1] == WHOLE:
        return left
    if left[0] == "journal":
        return left if feed_key(left[1]) == feed_key(right[1]) else None
    if left[0] == "arxiv" and category_key(left[1]) == archive_of(category_key(right[1])):
        return right
    return left


def node_atoms(node: Node) -> frozenset[Atom]:
    """The atoms `node` needs; ANYWHERE stands for "unconstrained" (see module docstring)."""
    if isinstance(node, Term | Not) or (isinstance(node, Filter) and node.field == "similar"):
        return frozenset({ANYWHERE})
    if isinstance(node, Filter):
        return filter_atoms(node)
    parts = [node_atoms(child) for child in node.children]
    if isinstance(node, Or):
        return frozenset().union(*parts)
    assert isinstance(node, And)
    result = parts[0]
    for part in parts[1:]:
        result = frozenset(m for a in result for b in part if (m := meet(a, b)) is not None)
    return result


def needs_of(node: Node) -> SourceNeeds:
    """The SourceNeeds of a query's syntax tree."""
    atoms = node_atoms(node)

    def keys(source: str) -> frozenset[str]:
        """The specific keys needed from `source`."""
        return frozenset(key for src, key in atoms if src == source and key != WHOLE)

    return SourceNeeds(
        arxiv_categories=keys("arxiv"),
        biorxiv_subjects=keys("biorxiv"),
        medrxiv_subjects=keys("medrxiv"),
        journal_feeds=keys("journal"),
        whole_sources=frozenset(src for src, key in atoms if key == WHOLE and src != "*"),
        needs_default=ANYWHERE in atoms,
    )
