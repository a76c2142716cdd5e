"""The index's memo of recent queries' results (`PaperIndex.remember`)."""

from __future__ import annotations

from bot.query import PaperIndex, compile_query, parse_query
from tests.bot.query.helpers import doc


class Counting:
    """A compute function that counts its calls and returns `result`."""

    def __init__(self, result: frozenset[int]) -> None:
        self.result = result
        self.calls = 0

    def __call__(self) -> frozenset[int]:
        self.calls += 1
        return self.result


def test_a_query_object_is_evaluated_once_while_it_is_remembered() -> None:
    index = PaperIndex([doc(1, "graph"), doc(2, "llm")], query_memo=100)
    query, compute = object(), Counting(frozenset({1}))
    assert index.remember(query, "matches", compute) == {1}
    assert index.remember(query, "matches", compute) == {1}
    assert compute.calls == 1
    other = Counting(frozenset({2}))
    assert index.remember(query, "scores", other) == {2}  # another kind is its own entry
    assert index.remember(object(), "matches", other) == {2}  # an equal-looking object too
    assert other.calls == 2


def test_without_a_memo_every_call_computes() -> None:
    index = PaperIndex([doc(1, "graph")])
    query, compute = object(), Counting(frozenset({1}))
    index.remember(query, "matches", compute)
    index.remember(query, "matches", compute)
    assert compute.calls == 2


def test_the_oldest_results_go_when_the_budget_of_doc_ids_is_spent() -> None:
    index = PaperIndex([doc(n, "graph") for n in range(10)], query_memo=10)
    queries = [object() for _ in range(4)]
    computes = [Counting(frozenset(range(4))) for _ in queries]  # 5 units each with its entry
    for query, compute in zip(queries, computes, strict=True):
        index.remember(query, "matches", compute)
    index.remember(queries[3], "matches", computes[3])  # the newest is kept
    index.remember(queries[0], "matches", computes[0])  # the oldest was dropped
    assert [c.calls for c in computes] == [2, 1, 1, 1]


def test_compiled_queries_give_the_same_results_with_and_without_the_memo() -> None:
    docs = [doc(1, "graph neural network"), doc(2, "large language model graph"), doc(3, "x")]
    plain, memo = PaperIndex(docs), PaperIndex(docs, query_memo=1_000)
    for text in ("graph", "cat:cs.CL -llm", '"language model" OR network'):
        compiled = compile_query(parse_query(text))
        assert compiled.scores(memo) == compiled.scores(plain)
        assert compiled.scores(memo) is compiled.scores(memo)  # remembered
        assert compiled.matches(memo) == compiled.matches(plain)
