"""An impact tournament: Swiss rounds of pairwise judgments, fitted with Bradley–Terry.

Each pair is judged in both orders (A/B, then B/A), which cancels a judge's preference for
the first or second position; when the two disagree, a third judgment breaks the tie, asked
with the labels swapped (the first-shown paper called B), so it is a fresh question and not
a repeat of one already answered. A decided pair adds two outcomes for its winner, a pair
with a single usable judgment one. After each round the strengths are refitted and the next
round pairs neighbours, so the comparisons go where the order is in doubt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.impact.fit import bradley_terry, ranking
from bot.impact.schedule import swiss_pairs

ROUNDS = 5  # comparisons per paper, at most
TOP = 5


@dataclass(frozen=True)
class Candidate:
    """A paper as the judge reads it: what it is, and a short summary of what it did."""

    paper_id: int
    title: str
    url: str
    category: str
    summary: str


@dataclass(frozen=True)
class Verdict:
    """One judgment: whether the first-shown paper has more impact, and the judge's reasons."""

    first_wins: bool
    reason: str


Judge = Callable[[Candidate, Candidate, bool], Awaitable[Verdict | None]]
"""judge(first, second, swapped): does `first` (shown first) win; swapped: labelled B, A."""


@dataclass(frozen=True)
class ImpactPick:
    """A paper's standing: its place, win record and the reason from its strongest win."""

    paper_id: int
    title: str
    url: str
    category: str
    wins: int
    losses: int
    reason: str  # one sentence, from the win over the strongest opponent ("" if none)
    strength: float


@dataclass(frozen=True)
class ImpactRanking:
    """The tournament's result: the top papers and what it cost."""

    picks: tuple[ImpactPick, ...]
    papers: int
    comparisons: int  # pairs that met
    judgments: int  # judge calls asked (cached ones included)


@dataclass
class _Bout:
    winner: int | None  # candidate index; None: undecided
    loser: int | None
    weight: int  # outcomes it adds: 2 decided, 1 from a single usable judgment, 0 none
    reason: str
    calls: int


class Tournament:
    """Runs Swiss rounds over candidates with a judge and fits the ranking."""

    def __init__(self, judge: Judge, *, rounds: int = ROUNDS, top: int = TOP) -> None:
        self._judge = judge
        self._rounds = rounds
        self._top = top

    async def rank(self, candidates: Sequence[Candidate]) -> ImpactRanking:
        """The candidates ranked by fitted impact (given order = round one's pairing)."""
        outcomes: list[tuple[int, int]] = []
        played: set[frozenset[int]] = set()
        bouts: list[_Bout] = []
        order = list(range(len(candidates)))
        for round_number in range(self._rounds):
            if round_number:
                order = ranking(bradley_terry(len(candidates), outcomes))
            pairs = swiss_pairs(order, played)
            if not pairs:
                break
            played |= {frozenset(pair) for pair in pairs}
            results = await asyncio.gather(*(self._bout(candidates, a, b) for a, b in pairs))
            for bout in results:
                bouts.append(bout)
                if bout.winner is not None and bout.loser is not None:
                    outcomes += [(bout.winner, bout.loser)] * bout.weight
        strengths = bradley_terry(len(candidates), outcomes)
        picks = standings(candidates, strengths, bouts)
        calls = sum(b.calls for b in bouts)
        return ImpactRanking(tuple(picks[: self._top]), len(candidates), len(bouts), calls)

    async def _bout(self, candidates: Sequence[Candidate], a: int, b: int) -> _Bout:
        first, second = await asyncio.gather(
            self._judge(candidates[a], candidates[b], False),
            self._judge(candidates[b], candidates[a], False),
        )
        votes = _votes(a, b, first) + _votes(b, a, second)
        calls = 2
        if len(votes) == 2 and votes[0][0] != votes[1][0]:
            x, y = (a, b) if (candidates[a].paper_id + candidates[b].paper_id) % 2 else (b, a)
            votes += _votes(x, y, await self._judge(candidates[x], candidates[y], True))
            calls += 1
        if not votes:
            return _Bout(None, None, 0, "", calls)
        wins_a = [reason for winner, reason in votes if winner == a]
        wins_b = [reason for winner, reason in votes if winner == b]
        if len(wins_a) == len(wins_b):
            return _Bout(None, None, 0, "", calls)
        winner, loser, reasons = (a, b, wins_a) if len(wins_a) > len(wins_b) else (b, a, wins_b)
        return _Bout(winner, loser, 2 if len(votes) > 1 else 1, reasons[0], calls)


def _votes(first: int, second: int, verdict: Verdict | None) -> list[tuple[int, str]]:
    if verdict is None:
        return []
    return [(first if verdict.first_wins else second, verdict.reason)]


def standings(
    candidates: Sequence[Candidate], strengths: Sequence[float], bouts: Sequence[_Bout]
) -> list[ImpactPick]:
    """Every candidate best first, with its win record and its strongest win's reason."""
    picks = []
    for index in ranking(strengths):
        won = [b for b in bouts if b.winner == index]
        lost = sum(1 for b in bouts if b.loser == index)
        best = max(won, key=lambda b: strengths[b.loser or 0], default=None)
        paper = candidates[index]
        picks.append(
            ImpactPick(
                paper.paper_id, paper.title, paper.url, paper.category, len(won), lost,
                first_sentence(best.reason) if best else "", strengths[index],
            )
        )  # fmt: skip
    return picks


def first_sentence(text: str, limit: int = 240) -> str:
    """The first sentence of `text`, at most `limit` characters."""
    text = " ".join(text.split())
    for end in (". ", "! ", "? "):
        cut = text.find(end)
        if 0 < cut < limit:
            return text[: cut + 1]
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
