"""The fetch gate is per channel: a digest waits only for its own sources, and its footer
names only those, in the channel's words. A partial feed is delivered, not held.

Driven through the scheduler's own jobs (`Jobs.fetch`, `Jobs.deliver`) on a fixed clock.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from aiohttp import web

from bot.sources.arxiv_rss import parse_arxiv_feed
from paperbot.status import status_table
from tests.jobs.daily import BMC, QUANT_PH, World, at, blocks, moved, read, world

__all__ = ["world"]  # the fixture
TUESDAY = date(2025, 6, 3)


def quant_ph(day: date = TUESDAY) -> bytes:
    """The recorded quant-ph mailing, moved to `day`."""
    return moved(read(QUANT_PH), (day - date(2025, 4, 28)).days)


def posted(world: World, channel: str) -> list[str]:
    """The kinds of the posts a channel got."""
    return [m.kind for m in world.platform.posts.get(channel, [])]


async def test_a_broken_feed_of_one_channel_neither_delays_nor_reaches_another(
    world: World,
) -> None:
    world.serve("rss/quant-ph", quant_ph())
    typo = world.url("typo-in-url.xml")  # nothing there: 404
    await world.channel("healthy", "cat:quant-ph entanglement")
    await world.channel("nomatch", "cat:quant-ph zzyzx")
    await world.channel("broken", f"feed:{typo}", "cat:quant-ph qubit", quiet=False)
    await world.fetch_job(at(TUESDAY, 6))
    await world.tick(at(TUESDAY, 8))
    assert posted(world, "healthy")[:1] == ["digest_header"]  # at 08:00, its time
    header = world.platform.posts["healthy"][0]
    assert header.digest is not None
    shown = header.text + " ".join(header.digest.notes)
    for trace in ("typo", "127.0.0.1", "404", "HTTP", "Not fetched"):
        assert trace not in shown
    assert posted(world, "broken") == []  # it waits for its own feed, until 09:00
    await world.tick(at(TUESDAY, 9))
    notes = world.platform.posts["broken"][0].digest.notes  # type: ignore[union-attr]
    assert f"Not fetched yet: {typo} (the address was not found; retrying)." in notes
    assert not any("HTTP" in note or "no route" in note for note in notes)
    assert "nomatch" not in world.platform.posts  # quiet: nothing matched, nothing posted


async def test_a_fetch_still_running_holds_only_the_channels_that_need_it(world: World) -> None:
    world.serve("rss/quant-ph", quant_ph())
    asked, release = asyncio.Event(), asyncio.Event()
    body = moved(read(BMC), (TUESDAY - date(2025, 4, 9)).days)

    async def slow(request: web.Request) -> web.Response:
        asked.set()
        await release.wait()
        return web.Response(body=body, content_type="application/xml")

    world.server.route("/slow.xml", slow)
    await world.channel("healthy", "cat:quant-ph entanglement")
    await world.channel("waiting", f"feed:{world.url('slow.xml')}")
    fetching = asyncio.create_task(world.fetch_job(at(TUESDAY, 7, 59)))
    await asyncio.wait_for(asked.wait(), 10)  # arXiv is stored; the journal is under way
    await world.tick(at(TUESDAY, 8))
    assert posted(world, "healthy")[:1] == ["digest_header"] and posted(world, "waiting") == []
    release.set()
    await asyncio.wait_for(fetching, 10)
    await world.tick(at(TUESDAY, 8, 1))
    assert posted(world, "waiting") == ["digest_header"] + ["digest_paper"] * 5


async def test_a_feed_that_breaks_midway_is_delivered_on_time_and_the_rest_follows(
    world: World,
) -> None:
    full = quant_ph()
    items = blocks(full)
    cut = full.index(items[45]) + len(items[45]) // 2  # the 46th item breaks off
    world.serve("rss/quant-ph", full[:cut])
    await world.channel("lab", "cat:quant-ph", max_papers=50)
    await world.fetch_job(at(TUESDAY, 6))
    status = await status_table(world.app.db, world.now)
    feed = world.url("rss/quant-ph")
    assert f"source partial: {feed}: partial: feed is not well-formed" in status
    assert "source failing" not in status
    scheduler = world.jobs.build()
    scheduler.start(paused=True)  # a real job store; nothing runs
    try:
        await world.fetch_job(at(TUESDAY, 6, 1))
        retry = scheduler.get_job("fetch-retry-all")  # the partial feed is retried
        assert retry is not None and retry.trigger.run_date == at(TUESDAY, 6, 21)  # 2nd: 20 min
    finally:
        scheduler.shutdown(wait=False)
    await world.tick(at(TUESDAY, 8))  # on time, not held for FETCH_WAIT_MINUTES
    tuesday = set(world.papers("lab"))
    assert posted(world, "lab")[:1] == ["digest_header"] and len(tuesday) > 20
    world.serve("rss/quant-ph", full)
    await world.fetch_job(at(TUESDAY, 9))  # the background retry brings the rest
    await world.tick(at(TUESDAY + timedelta(days=1), 8))
    wednesday = world.papers("lab")[len(tuesday) :]
    wanted = {p.key for p in parse_arxiv_feed(full, "x").papers
              if not p.announce_type.startswith("replace")}  # fmt: skip
    assert tuesday | set(wednesday) == wanted and not tuesday & set(wednesday)
