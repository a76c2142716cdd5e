"""The daily loop over consecutive days: what reaches a channel is what it has not had yet.

The fetch and delivery jobs run with one fixed clock moved from day to day; the loopback
server's recorded feeds (dates moved to the test's days) change between days.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.digest.model import DigestPaper
from bot.posts import PaperPost
from tests.jobs.daily import (
    BMC,
    PLOS,
    QUANT_PH,
    World,
    at,
    biorxiv_records,
    blocks,
    moved,
    read,
    without,
    world,
)

__all__ = ["world"]  # the fixture
TUESDAY = date(2025, 6, 3)


def posted_papers(world: World, channel: str) -> dict[str, DigestPaper]:
    """The papers posted to a channel, by key."""
    posts = world.platform.posts.get(channel, [])
    return {m.paper.key: m.paper for m in posts if isinstance(m, PaperPost)}


async def test_a_journal_item_dated_yesterday_that_shows_up_today_is_delivered(
    world: World,
) -> None:
    feed = moved(read(BMC), (TUESDAY - date(2025, 4, 9)).days)  # newest item: Tuesday
    late = blocks(feed)[0]  # dated Tuesday, published only on Wednesday
    world.serve("bmc.xml", without(feed, [late]))
    await world.channel("lab", f"feed:{world.url('bmc.xml')}")
    await world.fetch(at(TUESDAY, 6))
    first = await world.deliver(at(TUESDAY, 8))
    assert [o.status for o in first] == ["sent"] and len(world.papers("lab")) == 4
    wednesday = TUESDAY + timedelta(days=1)
    world.serve("bmc.xml", feed)
    await world.fetch(at(wednesday, 6))
    second = await world.deliver(at(wednesday, 8))
    assert [o.status for o in second] == ["sent"]
    assert len(world.papers("lab")) == 5 == len(set(world.papers("lab")))
    thursday = wednesday + timedelta(days=1)
    await world.fetch(at(thursday, 6))
    third = await world.deliver(at(thursday, 8))
    assert [o.status for o in third] == ["no_announcements"]
    assert len(world.papers("lab")) == 5


async def test_a_new_journal_subscription_gets_the_recent_items_not_only_todays(
    world: World,
) -> None:
    world.serve("bmc.xml", moved(read(BMC), (TUESDAY - date(2025, 4, 9)).days))
    world.serve("plos.xml", moved(read(PLOS), (TUESDAY - date(2025, 4, 13)).days))
    await world.channel("bmc", f"feed:{world.url('bmc.xml')}")
    await world.channel("plos", f"feed:{world.url('plos.xml')}")
    await world.fetch(at(TUESDAY, 6))
    outcomes = await world.deliver(at(TUESDAY, 8))
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert (len(world.papers("bmc")), len(world.papers("plos"))) == (5, 4)


async def test_biorxiv_posts_the_api_shows_a_day_late_are_delivered_the_next_day(
    world: World,
) -> None:
    monday = TUESDAY - timedelta(days=1)
    world.biorxiv.records = biorxiv_records({monday: 3, TUESDAY: 4})
    await world.channel("lab", "source:biorxiv")
    world.biorxiv.visible_until = monday  # on Tuesday the API shows Monday's posts
    await world.fetch(at(TUESDAY, 6))
    await world.deliver(at(TUESDAY, 8))
    assert len(world.papers("lab")) == 3
    wednesday = TUESDAY + timedelta(days=1)
    world.biorxiv.visible_until = TUESDAY  # Tuesday's posts appear on Wednesday
    await world.fetch(at(wednesday, 6))
    outcomes = await world.deliver(at(wednesday, 8))
    assert [o.status for o in outcomes] == ["sent"]
    assert len(world.papers("lab")) == 7 == len(set(world.papers("lab")))


async def test_arxiv_mailings_are_news_on_their_day_and_replacements_only_when_asked(
    world: World,
) -> None:
    shift = (TUESDAY - date(2025, 4, 28)).days
    world.serve("rss/quant-ph", moved(read(QUANT_PH), shift))
    await world.channel("plain", "cat:quant-ph quantum", max_papers=50)
    await world.channel("versions", "cat:quant-ph quantum", max_papers=50, replacements=True)
    await world.fetch(at(TUESDAY, 6))
    await world.deliver(at(TUESDAY, 8))
    plain = posted_papers(world, "plain").values()
    assert plain and not any(p.is_replacement for p in plain)
    assert f"{len(plain)} new papers (of {len(plain)} that" in world.headers("plain")[0]
    versions = posted_papers(world, "versions").values()
    replaced = sum(p.is_replacement for p in versions)
    assert replaced > 0
    line = f"{len(versions) - replaced} new papers and {replaced} new versions (of "
    assert line in world.headers("versions")[0]
    wednesday = TUESDAY + timedelta(days=1)
    world.serve("rss/quant-ph", moved(read(QUANT_PH), shift + 1))  # the same papers again
    await world.fetch(at(wednesday, 6))
    again = await world.deliver(at(wednesday, 8))
    assert again[0].status == "quiet"  # "plain" had every match: nothing is delivered twice
    keys = world.papers("versions")
    assert len(keys) == len(set(keys)) > len(versions)  # Tuesday's overflow, nothing twice
