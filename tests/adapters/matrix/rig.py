"""People on the real Synapse (client-server API over httpx), and the whole bot syncing with it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.matrix.app import MatrixAdapter
from adapters.matrix.settings import MatrixSettings
from bot.store.db import Database
from bot.store.keys import RequestKeys
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.synapse import Account, Synapse, path_id
from tests.jobs.conftest import QUANT_PH

WAIT = 30.0  # seconds to wait for the bot before a test fails
Event = dict[str, Any]


@dataclass
class Person:
    """Someone on the homeserver, acting through the client-server API."""

    account: Account
    http: httpx.AsyncClient
    since: str | None = None
    seen: list[Event] = field(default_factory=list)  # timeline events synced so far

    @property
    def user_id(self) -> str:
        """The person's Matrix id."""
        return self.account.user_id

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One client-server API call as this person; the decoded JSON answer."""
        answer = await self.http.request(
            method, f"/_matrix/client/v3{path}", json=body, params=params or None,
            headers={"Authorization": f"Bearer {self.account.token}"},
        )  # fmt: skip
        answer.raise_for_status()
        return answer.json()

    async def create_room(self, *invite: str) -> str:
        """A new private room with these users invited; its id."""
        created = await self.call("POST", "/createRoom", {"invite": list(invite)})
        return str(created["room_id"])

    async def join(self, room_id: str) -> None:
        """Join a room (accept an invite)."""
        await self.call("POST", f"/join/{path_id(room_id)}", {})

    async def invite(self, room_id: str, user_id: str) -> None:
        """Invite someone to a room."""
        await self.call("POST", f"/rooms/{path_id(room_id)}/invite", {"user_id": user_id})

    async def kick(self, room_id: str, user_id: str) -> None:
        """Remove someone from a room."""
        await self.call("POST", f"/rooms/{path_id(room_id)}/kick", {"user_id": user_id})

    async def send(self, room_id: str, event_type: str, content: Event) -> str:
        """Send an event; its id."""
        path = f"/rooms/{path_id(room_id)}/send/{event_type}/{uuid.uuid4().hex}"
        return str((await self.call("PUT", path, content))["event_id"])

    async def say(self, room_id: str, body: str, relates_to: Event | None = None) -> str:
        """Send a text message (in a thread or as a reply with `relates_to`); its id."""
        content: Event = {"msgtype": "m.text", "body": body}
        if relates_to:
            content["m.relates_to"] = relates_to
        return await self.send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        """Put a reaction on an event; its id."""
        relation = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return await self.send(room_id, "m.reaction", {"m.relates_to": relation})

    async def set_power(self, room_id: str, user_id: str, level: int) -> None:
        """Give a user a power level in the room."""
        path = f"/rooms/{path_id(room_id)}/state/m.room.power_levels"
        levels = await self.call("GET", path)
        levels.setdefault("users", {})[user_id] = level
        await self.call("PUT", path, levels)

    async def messages(self, room_id: str, sender: str | None = None) -> list[Event]:
        """The room's messages, oldest first (only `sender`'s when given)."""
        found = await self.call("GET", f"/rooms/{path_id(room_id)}/messages", dir="b",
                                limit=200)  # fmt: skip
        events = [e for e in reversed(found["chunk"]) if e["type"] == "m.room.message"]
        return [e for e in events if sender is None or e["sender"] == sender]

    async def mark(self) -> None:
        """Start watching from now: only events after this are waited for."""
        await self._sync(0)
        self.seen = []

    async def wait_for(self, found: Callable[[list[Event]], bool]) -> list[Event]:
        """Long-poll /sync until `found(events since mark())` holds; those events."""
        async with asyncio.timeout(WAIT):
            while not found(self.seen):
                await self._sync(5000)
        return self.seen

    async def _sync(self, timeout: int) -> None:
        """One incremental /sync (the first one only takes the token)."""
        params: dict[str, Any] = {"timeout": timeout, "filter": json.dumps(TIMELINE)}
        if self.since is not None:
            params["since"] = self.since
        answer = await self.call("GET", "/sync", **params)
        first, self.since = self.since is None, answer["next_batch"]
        for room_id, room in answer.get("rooms", {}).get("join", {}).items():
            if not first:
                self.seen += [{**e, "room_id": room_id} for e in room["timeline"]["events"]]

    async def bot_messages(self, room_id: str, bot: str, count: int) -> list[Event]:
        """Wait for `count` messages from the bot in the room since mark(); return them."""

        def of_bot(events: list[Event]) -> list[Event]:
            return [e for e in events if e["room_id"] == room_id and e["sender"] == bot
                    and e["type"] == "m.room.message"]  # fmt: skip

        return of_bot(await self.wait_for(lambda events: len(of_bot(events)) >= count))


TIMELINE = {"room": {"timeline": {"limit": 100}}, "presence": {"types": []}}


@dataclass
class MatrixRig:
    """The bot (a fresh account) on the homeserver, and the people talking to it."""

    adapter: MatrixAdapter
    bot: Account
    alice: Person  # a server admin, who creates the rooms (and so outranks everyone there)
    bob: Person  # power level 0 in alice's rooms
    testbot: TestBot
    synapse: Synapse

    async def room(self, *members: Person) -> str:
        """A room of alice's with the bot (joined) and `members` (joined)."""
        await self.alice.mark()
        room_id = await self.alice.create_room(self.bot.user_id, *(m.user_id for m in members))
        for member in members:
            await member.join(room_id)
        await self.alice.wait_for(lambda events: any(joined(e, room_id, self.bot.user_id)
                                                     for e in events))  # fmt: skip
        return room_id

    async def ask(self, room_id: str, body: str, who: Person | None = None,
                  count: int = 1, **kwargs: Any) -> list[Event]:  # fmt: skip
        """Say something in a room; wait for `count` messages of the bot; return them."""
        await self.alice.mark()
        await (who or self.alice).say(room_id, body, **kwargs)
        return await self.alice.bot_messages(room_id, self.bot.user_id, count)


def joined(event: Event, room_id: str, user_id: str) -> bool:
    """Is this the user's join in the room?"""
    return (event["room_id"] == room_id and event["type"] == "m.room.member"
            and event.get("state_key") == user_id
            and event["content"].get("membership") == "join")  # fmt: skip


@asynccontextmanager
async def matrix_rig(
    db: Database, feeds: FakeHttpServer, synapse: Synapse, people: tuple[Account, Account],
    **settings: Any,
) -> AsyncIterator[MatrixRig]:  # fmt: skip
    """A fresh bot account, the adapter syncing as it, over a bot serving the recorded feed."""
    feeds.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    feeds.route_prefix("/html/", Reply("gone", status=404))
    feeds.route_prefix("/pdf/", Reply("gone", status=404))
    core = bot_settings(
        adapters="matrix",
        arxiv_rss_url=f"{feeds.url}/rss/",
        arxiv_html_url=f"{feeds.url}/html/",
        arxiv_pdf_url=f"{feeds.url}/pdf/",
    )
    testbot = await make_testbot(db, core)
    account = await asyncio.to_thread(synapse.register)
    own = MatrixSettings(_env_file=None, homeserver_url=synapse.url, user_id=account.user_id,
                         access_token=account.token, sync_timeout=5, **settings)  # fmt: skip
    adapter = MatrixAdapter(own, testbot.app.bot, RequestKeys(db))
    async with httpx.AsyncClient(base_url=synapse.url, timeout=WAIT) as http:
        alice, bob = Person(people[0], http), Person(people[1], http)
        rig = MatrixRig(adapter, account, alice, bob, testbot, synapse)
        try:
            await adapter.start()
            yield rig
        finally:
            await rig.adapter.stop()  # the one running now (a test may restart it)
            await testbot.app.http.aclose()
