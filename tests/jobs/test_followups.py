"""The follow-up job over two days on Slack and Telegram: each follow-up lands once, in the
paper's thread, and a restarted process (or a second replica) never says it again."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from sqlmodel import select

from bot import posts
from bot.config import Settings
from bot.messages import Conversation, Sender
from bot.models import Channel, DeliveredPaper, Followup, Paper
from bot.posts import Post
from bot.sources.arxiv_api import parse_arxiv_api
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.http import HttpFetcher
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers
from jobs import followups
from tests.adapters.slack.rig import CHANNEL, TEAM, slack_rig
from tests.adapters.telegram.rig import telegram_rig
from tests.adapters.telegram.updates import private_chat
from tests.botharness import bot_settings
from tests.conftest import FIXTURES
from tests.fakes.arxiv_entries import atom_entry, atom_feed, corpus_records
from tests.fakes.crossref import serve_crossref
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.jobs.conftest import PlatformRecorder, add_channel

TESTING = FIXTURES / "arxiv_api" / "arxiv_api_recorded_search-testing_start0_max10_2026-04-12.json"
PAPER = "2204.08348"  # recorded at v3 with a DOI and a journal reference; posted at v1
POSTED = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CODE, WITHDRAWN = "2503.12605", "2501.14936"  # corpus: a GitHub link in the comment; "withdrawn"
CORPUS_PAPERS = (CODE, WITHDRAWN)
DAY_1, DAY_2 = POSTED + timedelta(days=1, hours=4), POSTED + timedelta(days=2, hours=4)


def loopback(server: FakeHttpServer) -> Settings:
    """Settings whose arXiv API and Crossref are the loopback fakes (never the real ones)."""
    return bot_settings(arxiv_api_url=serve_arxiv_api(server),
                        crossref_api_url=serve_crossref(server))  # fmt: skip


def serve_arxiv_api(server: FakeHttpServer) -> str:
    """`api/query` answering `id_list` with the recorded entries of those ids only."""
    body = json.loads(TESTING.read_text())["body"]
    head, _, rest = body.partition("<entry>")
    entries = ["<entry>" + e for e in rest.split("<entry>")]
    entries[-1] = entries[-1].rsplit("</feed>", 1)[0]

    entries += [atom_entry(r, 2) for r in corpus_records(CORPUS_PAPERS)]  # their own comments

    async def query(request: web.Request) -> web.Response:
        wanted = set(request.query.get("id_list", "").split(","))
        kept = [e for e in entries if re.search(r"abs/([\d.]+)v", e)[1] in wanted]  # type: ignore[index]
        return web.Response(text=head + "".join(kept) + "</feed>",
                            content_type="application/atom+xml")  # fmt: skip

    server.route("/api/query", query)
    return f"{server.url}/api/query"


async def post(db: Database, channel: Channel, sender: Sender, paper: FetchedPaper) -> str:
    """Store the paper as given (the version the feed had) and post it: the post is its thread."""
    async with db.session() as session:
        await upsert_papers(session, [paper])
        stored = (await session.exec(select(Paper).where(Paper.key == paper.key))).one()
    conversation = Conversation(channel.platform, channel.channel, channel.workspace)
    ref = await sender.send(posts.Reply(conversation, f"**{stored.title}**"))
    assert ref is not None
    async with db.session() as session:
        session.add(DeliveredPaper(channel_id=channel.id or 0, paper_id=stored.id or 0,
                                   version=paper.version or 0, position=1, sent_at=POSTED,
                                   message_ref=ref))  # fmt: skip
    return ref


async def posted_paper(db: Database, channel: Channel, sender: Sender) -> str:
    """The recorded paper as the RSS feed had it (v1, no DOI), posted; its thread."""
    papers, _, _ = parse_arxiv_api(json.loads(TESTING.read_text())["body"].encode())
    paper = next(p for p in papers if p.arxiv_id == PAPER)
    return await post(db, channel, sender, replace(paper, version=1, doi=None, journal_ref=""))


async def posted_corpus_papers(db: Database, channel: Channel, sender: Sender) -> dict[str, str]:
    """The corpus papers at v1 (no comment), each posted; their threads by arXiv id."""
    feed = atom_feed(atom_entry(r, 1, "") for r in corpus_records(CORPUS_PAPERS))
    papers, _, _ = parse_arxiv_api(feed.encode())
    return {paper.arxiv_id or "": await post(db, channel, sender, paper) for paper in papers}


async def two_days(db: Database, settings: Settings, senders: dict[str, Sender]) -> list[int]:
    """Run the job on day 1, then on day 2 twice (a restart, or a second replica)."""
    posted = []
    for now in (DAY_1, DAY_2, DAY_2):
        async with HttpFetcher(settings) as http:  # a new process each time
            report = await followups.run(db, http, settings, senders, now=now)
        posted.append(report.posted)
    return posted


async def test_slack_follow_ups_land_once_in_the_paper_thread(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    async with slack_rig(db, http_server) as rig:
        channel = await add_channel(db, CHANNEL, f"id:{PAPER}", platform="slack", workspace=TEAM)
        thread = await posted_paper(db, channel, rig.adapter.sender)
        assert await two_days(db, settings, {"slack": rig.adapter.sender}) == [2, 0, 0]
        replies = [c for c in rig.api.calls if c.method == "chat.postMessage" and c.thread_ts]
    assert [c.thread_ts for c in replies] == [thread, thread]
    assert replies[0].text.startswith("*v3 is out.*") or "v3 is out" in replies[0].text
    assert "doi.org/10.1145/3533767.3534401" in replies[1].text
    assert "Published" in replies[1].text


async def test_telegram_follow_ups_reply_to_the_paper_message(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    chat = private_chat(555202)
    async with telegram_rig(db, http_server) as rig:
        channel = await add_channel(db, str(chat["id"]), f"id:{PAPER}", platform="telegram",
                                    workspace="")  # fmt: skip
        thread = await posted_paper(db, channel, rig.adapter.sender)
        assert await two_days(db, settings, {"telegram": rig.adapter.sender}) == [2, 0, 0]
        sent = rig.api.sent(chat["id"])[1:]
    assert len(sent) == 2
    assert all(str(_reply_target(m)) == thread for m in sent)
    assert "v3 is out" in sent[0]["text"] and "10.1145/3533767.3534401" in sent[1]["text"]


def _reply_target(message: dict[str, object]) -> object:
    target = message["reply_parameters"]
    parsed = json.loads(target) if isinstance(target, str) else target
    assert isinstance(parsed, dict)
    return parsed["message_id"]


async def test_switched_off_kinds_are_not_said_and_a_crashed_send_is_resumed(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    channel = await add_channel(db, "lab", f"id:{PAPER}", followups_off="published")
    platform = PlatformRecorder(crash_after=1)
    thread = await posted_paper(db, channel, platform)  # the post itself is sent
    async with HttpFetcher(settings) as http:
        try:
            await followups.run(db, http, settings, {"test": platform}, now=DAY_1)
        except BaseException as crash:
            assert "simulated crash" in str(crash)
        platform.crash_after = None
        report = await followups.run(db, http, settings, {"test": platform}, now=DAY_2)
    async with db.session() as session:
        rows = list(await session.exec(select(Followup)))
    assert [r.kind for r in rows] == ["version:3"]  # published is off in this channel
    assert report.posted == 1 and rows[0].message_ref not in (None, "pending")
    posts = platform.posts["lab"]
    assert len(posts) == 2 and posts[1].conversation.thread == thread


class AcceptThenCrash:
    """The Slack sender, dying after Slack accepted the first follow-up (before it is recorded)."""

    def __init__(self, sender: Sender) -> None:
        self.sender, self.crashed = sender, False

    async def send(self, message: Post) -> str | None:
        ref = await self.sender.send(message)
        if not self.crashed:
            self.crashed = True
            raise asyncio.CancelledError("crash after the platform accepted the post")
        return ref

    def __getattr__(self, name: str) -> object:
        return getattr(self.sender, name)


async def test_slack_finds_an_accepted_follow_up_in_the_thread_after_a_crash(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    async with slack_rig(db, http_server) as rig:
        channel = await add_channel(db, CHANNEL, f"id:{PAPER}", platform="slack", workspace=TEAM)
        thread = await posted_paper(db, channel, rig.adapter.sender)
        async with HttpFetcher(settings) as http:
            crashing = {"slack": AcceptThenCrash(rig.adapter.sender)}
            with pytest.raises(asyncio.CancelledError):
                await followups.run(db, http, settings, crashing, now=DAY_1)
            report = await followups.run(db, http, settings, {"slack": rig.adapter.sender},
                                         now=DAY_2)  # fmt: skip
        replies = [c for c in rig.api.calls if c.method == "chat.postMessage" and c.thread_ts]
        looked = [c for c in rig.api.calls if c.method == "conversations.replies"]
    assert report.posted == 1  # the published one; the version one was found, not re-sent
    assert [c.thread_ts for c in replies] == [thread, thread] and looked
    async with db.session() as session:
        refs = [r.message_ref for r in await session.exec(select(Followup))]
    assert refs == [replies[0].response["ts"], replies[1].response["ts"]]


BIORXIV = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"
PREPRINT = "10.1101/001768"  # recorded with its published DOI 10.1016/j.isci.2022.105906


async def test_a_biorxiv_preprint_s_published_doi_is_said_once(
    db: Database, http_server: FakeHttpServer
) -> None:
    page = json.loads(BIORXIV.read_text())
    records = [r for r in page["collection"] if r["doi"] == PREPRINT]
    http_server.route(f"/biorxiv/details/biorxiv/{PREPRINT}/na/json",
                      Reply(json.dumps({**page, "collection": records}),
                            content_type="application/json"))  # fmt: skip
    settings = loopback(http_server).model_copy(
        update={"biorxiv_api_url": f"{http_server.url}/biorxiv"}
    )
    papers, _, _, _ = parse_biorxiv_page({**page, "collection": records}, "biorxiv")
    async with db.session() as session:
        await upsert_papers(session, papers)
        stored = (await session.exec(select(Paper).where(Paper.doi == PREPRINT))).one()
        channel = Channel(platform="test", channel="lab")
        session.add(channel)
        await session.flush()
        session.add(DeliveredPaper(channel_id=channel.id or 0, paper_id=stored.id or 0,
                                   version=stored.version or 0, sent_at=POSTED,
                                   message_ref="lab-1"))  # fmt: skip
    platform = PlatformRecorder()
    async with HttpFetcher(settings) as http:
        first = await followups.run(db, http, settings, {"test": platform}, now=DAY_1)
        again = await followups.run(db, http, settings, {"test": platform}, now=DAY_2)
    assert (first.posted, again.posted) == (1, 0)
    (said,) = platform.posts["lab"]
    assert said.conversation.thread == "lab-1"
    assert (
        said.text.startswith("**Published**") and "doi.org/10.1016/j.isci.2022.105906" in said.text
    )


async def test_code_and_withdrawal_land_in_their_own_threads_on_slack(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    async with slack_rig(db, http_server) as rig:
        channel = await add_channel(db, CHANNEL, "cat:cs.CV", platform="slack", workspace=TEAM)
        threads = await posted_corpus_papers(db, channel, rig.adapter.sender)
        assert await two_days(db, settings, {"slack": rig.adapter.sender}) == [3, 0, 0]
        replies = [c for c in rig.api.calls if c.method == "chat.postMessage" and c.thread_ts]
    by_thread = {t: [c.text for c in replies if c.thread_ts == t] for t in threads.values()}
    code, withdrawn = by_thread[threads[CODE]], by_thread[threads[WITHDRAWN]]
    assert len(code) == 2 and "v2 is out" in code[0]
    assert "github.com/yaotingwangofficial/Awesome-MCoT" in code[1] and "Code released" in code[1]
    assert len(withdrawn) == 1 and "Withdrawn" in withdrawn[0]


async def test_code_and_withdrawal_land_in_their_own_threads_on_telegram(
    db: Database, http_server: FakeHttpServer
) -> None:
    settings = loopback(http_server)
    chat = private_chat(555303)
    async with telegram_rig(db, http_server) as rig:
        channel = await add_channel(db, str(chat["id"]), "cat:cs.CV", platform="telegram",
                                    workspace="")  # fmt: skip
        threads = await posted_corpus_papers(db, channel, rig.adapter.sender)
        assert await two_days(db, settings, {"telegram": rig.adapter.sender}) == [3, 0, 0]
        sent = rig.api.sent(chat["id"])[2:]
    replies = {str(_reply_target(m)): [] for m in sent}
    for message in sent:
        replies[str(_reply_target(message))].append(message["text"])
    assert "github.com/yaotingwangofficial/Awesome-MCoT" in replies[threads[CODE]][1]
    assert replies[threads[WITHDRAWN]] == [replies[threads[WITHDRAWN]][0]]
    assert "Withdrawn" in replies[threads[WITHDRAWN]][0]
