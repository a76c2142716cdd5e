"""Feedback: a channel's 👍/👎 move similar papers up or down in its next digests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.build import apply_feedback
from bot.digest.feedback import MAX_FACTOR, MIN_FACTOR, FeedbackProfile, content_terms
from bot.messages import IncomingAction
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"


def test_similar_papers_move_with_the_vote_and_the_factor_is_bounded() -> None:
    liked = content_terms("Photonic entanglement purification", "Quantum repeaters purify pairs.")
    disliked = content_terms("Dark matter halos", "Galaxy rotation curves and halo profiles.")
    profile = FeedbackProfile.of([(liked, 1), (disliked, -1)])
    near_like = content_terms("Entanglement purification for repeaters", "Photonic pairs.")
    near_dislike = content_terms("Halo profiles of dark matter", "Rotation curves of galaxies.")
    unrelated = content_terms("Protein folding", "Sequence models of enzymes.")
    assert profile.factor(near_like) > 1.0 > profile.factor(near_dislike)
    assert profile.factor(unrelated) == 1.0
    assert profile.factor(near_dislike) >= MIN_FACTOR and profile.factor(near_like) <= MAX_FACTOR
    assert FeedbackProfile.of([]).is_empty


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"))
    try:
        yield bot
    finally:
        await bot.app.aclose()


def order(output: str) -> list[str]:
    return [title for _n, title in re.findall(r"^\[(\d+)\] (.+)$", output, re.MULTILINE)]


async def test_dislikes_and_likes_change_the_next_ranking(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph")  # every paper scores the same
    await testbot.exec_command("/size 50")
    before = order(await testbot.exec_command("/digest preview"))
    assert len(before) == 50

    reply = await testbot.exec_command("/dislike 1")
    assert "Noted 👎" in reply
    after_dislike = order(await testbot.exec_command("/digest preview"))
    assert sorted(after_dislike) == sorted(before)
    assert after_dislike.index(before[0]) > 25  # the disliked paper sinks

    await testbot.exec_command("/like 40")
    after_like = order(await testbot.exec_command("/digest preview"))
    liked_title = after_dislike[39]
    assert after_like.index(liked_title) < 5  # the liked paper and its like rise


async def test_button_press_records_a_vote_like_the_command(testbot: TestBot) -> None:
    await testbot.exec_command("/subscribe cat:quant-ph")
    await testbot.exec_command("/size 50")
    before = order(await testbot.exec_command("/digest preview"))
    key = (await testbot.numbered())[1]
    sender = RecordingSender()
    press = IncomingAction(testbot.conversation, "dislike", key, user="u1")
    await testbot.app.bot.handle_action(press, sender)
    assert sender.texts and "Noted 👎" in sender.texts[0]
    after = order(await testbot.exec_command("/digest preview"))
    assert after.index(before[0]) > 25


async def test_vote_on_unknown_paper_is_refused(testbot: TestBot) -> None:
    reply = await testbot.exec_command("/like 7")
    assert "There is no paper 7 in the last digest here." in reply
    reply = await testbot.exec_command("/dislike 9999.99999")
    assert "I don't know the paper `9999.99999`" in reply


class Terms:
    """A corpus's `terms` for feedback: each paper's term set, counting the lookups."""

    def __init__(self, terms: dict[int, frozenset[str]]) -> None:
        self.by_id, self.lookups = terms, 0

    def terms(self, paper_id: int) -> frozenset[str]:
        self.lookups += 1
        return self.by_id[paper_id]


VOCABULARY = [f"term{n}" for n in range(8)]


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(st.floats(0.01, 100.0), min_size=1, max_size=40),
    terms=st.lists(st.frozensets(st.sampled_from(VOCABULARY)), min_size=40, max_size=40),
    votes=st.lists(st.tuples(st.integers(0, 39), st.sampled_from([1, -1])), max_size=4),
    keep=st.integers(1, 12),
)
def test_reweighing_only_the_reachable_head_keeps_the_top(
    scores: list[float], terms: list[frozenset[str]], votes: list[tuple[int, int]], keep: int
) -> None:
    ranked = sorted(enumerate(scores), key=lambda item: (-item[1], item[0]))
    corpus = Terms(dict(enumerate(terms)))
    profile = FeedbackProfile.of([(terms[i], v) for i, v in votes])
    full = apply_feedback(ranked, corpus, profile)  # type: ignore[arg-type]
    cut = apply_feedback(ranked, corpus, FeedbackProfile.of([(terms[i], v) for i, v in votes]),
                         keep=keep)  # type: ignore[arg-type]  # fmt: skip
    assert cut[:keep] == full[:keep] and len(cut) == len(full)


def test_far_candidates_are_not_reweighed_and_factors_are_memoized() -> None:
    ranked = [(n, 100.0 if n < 5 else 1.0) for n in range(100)]  # 95 papers 100x below the top
    corpus = Terms({n: frozenset({f"term{n % 8}"}) for n in range(100)})
    profile = FeedbackProfile.of([(frozenset({"term1"}), 1)])
    top = apply_feedback(ranked, corpus, profile, keep=5)  # type: ignore[arg-type]
    assert corpus.lookups == 5 and top[0] == (1, 200.0)
    apply_feedback(ranked, corpus, profile, keep=5)  # type: ignore[arg-type]
    assert corpus.lookups == 5  # the same profile: factors reused
