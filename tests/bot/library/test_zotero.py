"""Reading a Zotero library over the web API: item shapes, paging, versions and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.library.zotero import ZoteroError, ZoteroSource, item_reference, read_zotero
from bot.sources.http import HttpFetcher
from tests.botharness import bot_settings
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.zotero import COLLECTION, KEY, USER_ID, FakeZotero, recorded_library, serve_zotero


@pytest.fixture
async def zotero(http_server: FakeHttpServer) -> AsyncIterator[tuple[FakeZotero, str]]:
    fake = recorded_library(FakeZotero())
    yield fake, serve_zotero(http_server, fake)


def _source(url: str, key: str = KEY, collection: str = "") -> ZoteroSource:
    source = ZoteroSource.of(_settings(url, key), collection)
    assert source is not None
    return source


def _settings(url: str, key: str = KEY) -> Settings:
    return bot_settings(zotero_api_url=url, zotero_api_key=key, zotero_user_id=USER_ID)


async def test_reads_papers_skips_books_and_notes(zotero: tuple[FakeZotero, str]) -> None:
    fake, url = zotero
    async with HttpFetcher(_settings(url)) as http:
        items = await read_zotero(http, _source(url), None)
    labels = [r.label for r in items.references]
    assert labels == ["arXiv:1707.08567", "arXiv:0808.05394", "doi:10.17705/1cais.04607"]
    assert [ref.label for ref, _ in items.described] == ["doi:10.1101/001768"]
    described = items.described[0][1]
    assert described.source == "biorxiv" and described.abstract.startswith("Nuclear transport")
    assert (
        described.authors[0] == "L. Durrieu" and described.announced_on.isoformat() == "2022-06-24"
    )
    assert items.skipped == ["Deep Learning"] and items.read == 5  # the note is not an item read
    assert items.version == fake.version and not items.truncated


async def test_pages_follow_the_link_header_and_honour_backoff(
    zotero: tuple[FakeZotero, str], http_server: FakeHttpServer
) -> None:
    fake, url = zotero
    fake.max_limit, fake.backoff = 2, "5"
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with HttpFetcher(_settings(url)) as http:
        items = await read_zotero(http, _source(url), None, sleep=sleep)
    asked = http_server.requests_to("/zotero/")
    assert [r.query.get("start", "0") for r in asked] == ["0", "2", "4"]
    assert asked[0].query["limit"] == "100" and asked[0].headers["Zotero-API-Version"] == "3"
    assert waits == [5.0, 5.0]  # before pages 2 and 3, not after the last
    assert len(items.references) + len(items.described) + len(items.skipped) == 5


async def test_since_and_not_modified(
    zotero: tuple[FakeZotero, str], http_server: FakeHttpServer
) -> None:
    fake, url = zotero
    async with HttpFetcher(_settings(url)) as http:
        unchanged = await read_zotero(http, _source(url), fake.version)
        fake.add({"itemType": "preprint", "title": "New", "archiveID": "arXiv:2501.10120"})
        changed = await read_zotero(http, _source(url), fake.version - 1)
    assert unchanged.not_modified and unchanged.version == fake.version - 1
    assert [r.label for r in changed.references] == ["arXiv:2501.10120"]
    last = http_server.requests_to("/zotero/")[-1]
    assert last.query["since"] == str(fake.version - 1)
    assert last.headers["If-Modified-Since-Version"] == str(fake.version - 1)


async def test_a_collection_reads_only_its_items(zotero: tuple[FakeZotero, str]) -> None:
    _, url = zotero
    async with HttpFetcher(_settings(url)) as http:
        items = await read_zotero(http, _source(url, collection=COLLECTION), None)
    assert [r.label for r in items.references] == ["arXiv:1707.08567"]
    assert [r.label for r, _ in items.described] == ["doi:10.1101/001768"]


@pytest.mark.parametrize(
    ("key", "collection", "says"),
    [
        ("wrongkey", "", "Zotero refused the key for users/475425 (Invalid key)"),
        (KEY, "AAAAAAAA", "Zotero has no collection AAAAAAAA in users/475425 (404)"),
    ],
)
async def test_refusals_are_said_plainly_without_the_key(
    zotero: tuple[FakeZotero, str], key: str, collection: str, says: str
) -> None:
    _, url = zotero
    async with HttpFetcher(_settings(url)) as http:
        with pytest.raises(ZoteroError) as caught:
            await read_zotero(http, _source(url, key, collection), None)
    assert says in str(caught.value) and key not in str(caught.value).replace(says, "")


async def test_unreachable_zotero() -> None:
    async with HttpFetcher(_settings("http://127.0.0.1:9/zotero")) as http:
        with pytest.raises(ZoteroError, match="could not reach Zotero"):
            await read_zotero(http, _source("http://127.0.0.1:9/zotero"), None)


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"archiveID": "arXiv:2501.10120"}, "arXiv:2501.10120"),
        ({"DOI": "10.48550/arXiv.2501.10120"}, "arXiv:2501.10120"),
        ({"extra": "arXiv: 2501.10120v2 [cs]"}, "arXiv:2501.10120"),
        (
            {"extra": "Citation Key: x\nDOI: 10.1038/S41586-020-2649-2"},
            "doi:10.1038/s41586-020-2649-2",
        ),
        (
            {"url": "https://www.biorxiv.org/content/10.1101/2025.01.02.631234v1"},
            "doi:10.1101/2025.01.02.631234",
        ),
        ({"url": "https://example.org/post"}, None),
    ],
)
def test_item_identifiers(data: dict[str, str], label: str | None) -> None:
    ref = item_reference(data, "T")
    assert (ref.label if ref else None) == label


def test_not_configured_and_both_ids_refused() -> None:
    assert ZoteroSource.of(bot_settings()) is None
    with pytest.raises(ValueError, match="ZOTERO_USER_ID or ZOTERO_GROUP_ID, not both"):
        bot_settings(zotero_user_id="1", zotero_group_id="2")
    with pytest.raises(ValueError, match="not a Zotero library id"):
        bot_settings(zotero_user_id="alice")
    group = ZoteroSource.of(bot_settings(zotero_group_id="98765", zotero_collection="ABCD2345"))
    assert group is not None and group.items_url().endswith(
        "/groups/98765/collections/ABCD2345/items/top"
    )
