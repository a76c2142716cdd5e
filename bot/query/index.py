"""An inverted index over one day's papers, built once and queried by many topics."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from bot.query.names import PersonName, person_name, same_person
from bot.query.terms import tokenize
from bot.query.values import (
    PREPRINT_SERVERS,
    archive_of,
    category_key,
    feed_key,
    subject_key,
)

T = TypeVar("T")
TEXT_INDEX_FIELDS: tuple[str, ...] = ("title", "abs")
Postings = dict[int, tuple[int, ...]]  # doc_id -> token positions within one field


@dataclass(frozen=True)
class IndexDoc:
    """The searchable view of one paper.

    For bioRxiv/medRxiv papers `categories` holds the subject(s); for arXiv, the categories
    including cross-lists. `source` is "arxiv", "biorxiv", "medrxiv" or "journal".
    """

    doc_id: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    primary_category: str
    source: str
    feed: str | None = None


class FieldIndex:
    """Positional postings and length statistics of one text field."""

    def __init__(self, texts: dict[int, str]) -> None:
        """Index `texts` (doc_id -> field text)."""
        postings: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.lengths: dict[int, int] = {}
        for doc_id, text in texts.items():
            tokens = tokenize(text)
            self.lengths[doc_id] = len(tokens)
            for pos, token in enumerate(tokens):
                postings[token][doc_id].append(pos)
        self.postings: dict[str, Postings] = {
            token: {doc: tuple(poss) for doc, poss in docs.items()}
            for token, docs in postings.items()
        }
        total = sum(self.lengths.values())
        self.avg_length: float = total / len(self.lengths) if self.lengths else 0.0

    def term_frequencies(self, tokens: tuple[str, ...]) -> dict[int, int]:
        """doc_id -> occurrences of the token sequence `tokens` (adjacent positions)."""
        lists = [self.postings.get(token) for token in tokens]
        if not lists or any(not plist for plist in lists):
            return {}
        if len(tokens) == 1:
            return {doc: len(poss) for doc, poss in lists[0].items()}
        smallest = min(lists, key=len)
        result: dict[int, int] = {}
        for doc in smallest:
            if all(doc in plist for plist in lists):
                starts = set(lists[0][doc])
                for offset, plist in enumerate(lists[1:], start=1):
                    starts &= {pos - offset for pos in plist[doc]}
                if starts:
                    result[doc] = len(starts)
        return result


def _author_postings(docs: Iterable[IndexDoc]) -> dict[str, dict[int, frozenset[tuple[int, int]]]]:
    """token -> doc_id -> {(author number, token position within that author's name)}."""
    postings: dict[str, dict[int, set[tuple[int, int]]]] = defaultdict(lambda: defaultdict(set))
    for doc in docs:
        for number, name in enumerate(doc.authors):
            for pos, token in enumerate(tokenize(name)):
                postings[token][doc.doc_id].add((number, pos))
    return {
        token: {doc: frozenset(spots) for doc, spots in by_doc.items()}
        for token, by_doc in postings.items()
    }


def _freeze(groups: dict[str, set[int]]) -> dict[str, frozenset[int]]:
    """A plain dict of frozen doc-id sets."""
    return {key: frozenset(ids) for key, ids in groups.items()}


def _metadata(docs: Iterable[IndexDoc]) -> tuple[dict[str, frozenset[int]], ...]:
    """(categories, subjects, sources, feeds): key -> doc ids, keys normalized."""
    cats: dict[str, set[int]] = defaultdict(set)
    subjects: dict[str, set[int]] = defaultdict(set)
    sources: dict[str, set[int]] = defaultdict(set)
    feeds: dict[str, set[int]] = defaultdict(set)
    for doc in docs:
        source = doc.source.strip().lower()
        sources[source].add(doc.doc_id)
        if doc.feed:
            feeds[feed_key(doc.feed)].add(doc.doc_id)
        for cat in (*doc.categories, doc.primary_category):
            if not cat:
                continue
            if source in PREPRINT_SERVERS:
                subjects[subject_key(cat)].add(doc.doc_id)
            else:
                cats[category_key(cat)].add(doc.doc_id)
                cats[archive_of(category_key(cat))].add(doc.doc_id)
    return _freeze(cats), _freeze(subjects), _freeze(sources), _freeze(feeds)


class PaperIndex:
    """Inverted index of a corpus: text postings per field, authors, and metadata sets.

    Build it once per corpus; it is read-only afterwards except for an internal memo of
    derived per-term data (frequencies, BM25 scores), which makes terms shared by many
    topics cheap.
    """

    def __init__(self, docs: Iterable[IndexDoc], query_memo: int = 0) -> None:
        """Index `docs`; doc ids must be unique. `query_memo` > 0 keeps the results of the
        queries asked most recently (`remember`), up to that many doc ids in all."""
        self.docs: dict[int, IndexDoc] = {}
        for doc in docs:
            if doc.doc_id in self.docs:
                raise ValueError(f"duplicate doc_id {doc.doc_id}")
            self.docs[doc.doc_id] = doc
        self.all_ids: frozenset[int] = frozenset(self.docs)
        self.fields: dict[str, FieldIndex] = {
            "title": FieldIndex({d.doc_id: d.title for d in self.docs.values()}),
            "abs": FieldIndex({d.doc_id: d.abstract for d in self.docs.values()}),
        }
        self.authors = _author_postings(self.docs.values())
        self.categories, self.subjects, self.sources, self.feeds = _metadata(self.docs.values())
        self._memo: dict[Hashable, Any] = {}
        self._queries: OrderedDict[tuple[int, str], tuple[object, Any, int]] = OrderedDict()
        self._query_budget = query_memo
        self._query_docs = 0  # doc ids held by `_queries`

    def __len__(self) -> int:
        """Number of indexed papers."""
        return len(self.docs)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, cached in this index under `key` (for per-corpus derived data)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def remember(self, query: object, kind: str, compute: Callable[[], Any]) -> Any:
        """`compute()` for this (compiled) query object, kept among the recent queries' results
        when this index has a query memo: a topic many channels follow is evaluated once.
        The result must be a collection of doc ids (a set, a dict by doc id); callers must not
        change it."""
        if not self._query_budget:
            return compute()
        key = (id(query), kind)
        held = self._queries.get(key)
        if held is not None and held[0] is query:
            self._queries.move_to_end(key)
            return held[1]
        result = compute()
        if held is not None:  # a query object freed since, whose id was taken again
            self._query_docs -= self._queries.pop(key)[2]
        self._queries[key] = (query, result, len(result) + 1)
        self._query_docs += len(result) + 1
        while self._query_docs > self._query_budget and len(self._queries) > 1:
            self._query_docs -= self._queries.popitem(last=False)[1][2]
        return result

    def term_frequencies(self, field: str, tokens: tuple[str, ...]) -> dict[int, int]:
        """doc_id -> occurrences of the token sequence in `field` ("title" or "abs")."""
        return self.memo(("tf", field, tokens), lambda: self.fields[field].term_frequencies(tokens))

    def author_docs(self, tokens: tuple[str, ...]) -> frozenset[int]:
        """Papers with an author whose name tokens contain `tokens` contiguously."""
        lists = [self.authors.get(token) for token in tokens]
        if not lists or any(not plist for plist in lists):
            return frozenset()
        found: set[int] = set()
        for doc in min(lists, key=len):
            if not all(doc in plist for plist in lists):
                continue
            starts = set(lists[0][doc])
            for offset, plist in enumerate(lists[1:], start=1):
                starts &= {(number, pos - offset) for number, pos in plist[doc]}
            if starts:
                found.add(doc)
        return frozenset(found)

    def name_docs(self, name: PersonName) -> frozenset[int]:
        """Papers with an author who can be `name` (surname and compatible initials)."""

        def compute() -> frozenset[int]:
            found = set()
            for doc, spots in self.authors.get(name.key, {}).items():
                authors = self.docs[doc].authors
                people = (person_name(authors[number]) for number in {n for n, _ in spots})
                if any(p is not None and same_person(name, p) for p in people):
                    found.add(doc)
            return frozenset(found)

        return self.memo(("name", name), compute)

    def filter_docs(self, field: str, value: str) -> frozenset[int]:
        """Papers matching a `cat:`, `subject:`, `source:` or `feed:` filter value."""
        if field == "cat":
            return self.categories.get(category_key(value), frozenset())
        if field == "subject":
            return self.subjects.get(subject_key(value), frozenset())
        if field == "source":
            return self.sources.get(value.strip().lower(), frozenset())
        if field == "feed":
            return self.feeds.get(feed_key(value), frozenset())
        if field == "similar":  # every paper: the channel's library ranks them
            return self.all_ids
        raise ValueError(f"unknown filter field {field!r}")
