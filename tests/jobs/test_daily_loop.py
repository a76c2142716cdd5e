"""The daily loop over consecutive days: what reaches a channel is what it has not had yet.

The fetch and delivery jobs run with one fixed clock moved from day to day; the loopback
server's recorded feeds (dates moved to the test's days) change between days.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.jobs.daily import (
    BMC,
    PLOS,
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
