"""A `PaperIndex` over search candidates, built for one query: same scores, a fraction of the work.

A full `PaperIndex` keeps positional postings for every token of every paper; a search needs
them only for the query's own tokens. This builds the same index (same documents, field
lengths and metadata) but keeps text and author postings just for those tokens, and stems
each distinct word once, so `compile_query(...).scores(index)` and `rank` give exactly what
they would on a full index of the candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.query import IndexDoc, PaperIndex, Query
from bot.query.ast import Node, Term
from bot.query.index import FieldIndex
from bot.query.terms import raw_tokens, stem, tokenize


def query_tokens(node: Node, *, authors: bool = False) -> frozenset[str]:
    """Every stemmed token the query's text terms use (negated ones too), or with `authors`
    its author terms'."""
    if isinstance(node, Term):
        wanted = (node.field == "author") == authors
        return frozenset(tokenize(node.text)) if wanted else frozenset()
    children = getattr(node, "children", None) or (getattr(node, "child", None),)
    found: set[str] = set()
    for child in children:
        if child is not None:
            found |= query_tokens(child, authors=authors)
    return frozenset(found)


class _Stems(dict[str, str]):
    """word -> its stem, each distinct word stemmed once."""

    def __missing__(self, word: str) -> str:
        found = self[word] = stem(word)
        return found


def narrow_field(texts: dict[int, str], wanted: frozenset[str], stems: _Stems) -> FieldIndex:
    """A FieldIndex with true lengths but postings only for `wanted` tokens."""
    field = FieldIndex({})
    postings: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, text in texts.items():
        words = raw_tokens(text)
        field.lengths[doc_id] = len(words)
        present = {w for w in set(words) if stems[w] in wanted}
        if not present:
            continue
        for pos, word in [(p, w) for p, w in enumerate(words) if w in present]:
            postings[stems[word]][doc_id].append(pos)
    field.postings = {
        token: {doc: tuple(poss) for doc, poss in docs.items()} for token, docs in postings.items()
    }
    total = sum(field.lengths.values())
    field.avg_length = total / len(field.lengths) if field.lengths else 0.0
    return field


def candidate_index(docs: Sequence[IndexDoc], query: Query) -> PaperIndex:
    """An index of `docs` that answers `query` exactly as a full PaperIndex would."""
    authors = query_tokens(query.ast, authors=True)
    blank = [IndexDoc(d.doc_id, "", "", d.authors if authors else (), d.categories,
                      d.primary_category, d.source, d.feed) for d in docs]  # fmt: skip
    index = PaperIndex(blank)  # metadata as usual, authors only if asked for, no text yet
    index.authors = {token: index.authors[token] for token in authors if token in index.authors}
    index.docs = {d.doc_id: d for d in docs}
    wanted, stems = query_tokens(query.ast), _Stems()
    index.fields = {
        "title": narrow_field({d.doc_id: d.title for d in docs}, wanted, stems),
        "abs": narrow_field({d.doc_id: d.abstract for d in docs}, wanted, stems),
    }
    return index
