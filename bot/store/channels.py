"""Channels and their topics: finding a channel by address, changing its settings."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.messages import Conversation
from bot.models import Channel, Topic
from bot.store.db import insert_ignoring_duplicates


async def find_channel(session: AsyncSession, conversation: Conversation) -> Channel | None:
    """The stored channel for a conversation, if any."""
    query = select(Channel).where(
        Channel.platform == conversation.platform,
        Channel.workspace == conversation.workspace,
        Channel.channel == conversation.channel,
    )
    return (await session.exec(query)).first()


async def get_or_create_channel(
    session: AsyncSession, conversation: Conversation, settings: Settings
) -> Channel:
    """The channel for a conversation (created with the configured defaults if new), locked.

    The channel is an upsert (`INSERT … ON CONFLICT DO NOTHING`, then read), so the first
    commands of a new chat never collide. The row is then locked until the session ends
    (`SELECT … FOR UPDATE` on Postgres; on SQLite the insert already took the database's
    write lock), so one channel's commands run one after another on every replica.
    """
    row = Channel(
        platform=conversation.platform,
        workspace=conversation.workspace,
        channel=conversation.channel,
        timezone=settings.default_timezone,
        digest_time=settings.default_digest_time,
        language=settings.default_language,
        max_papers=settings.default_digest_size,
    )
    await insert_ignoring_duplicates(session, Channel, [row.model_dump(exclude={"id"})])
    query = (
        select(Channel)
        .where(
            Channel.platform == conversation.platform,
            Channel.workspace == conversation.workspace,
            Channel.channel == conversation.channel,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).one()


async def list_topics(session: AsyncSession, channel_id: int) -> list[Topic]:
    """A channel's topics, in the order they were added (numbered from 1 when shown)."""
    query = select(Topic).where(Topic.channel_id == channel_id).order_by(col(Topic.id))
    return list(await session.exec(query))


async def add_topic(session: AsyncSession, channel_id: int, query: str) -> Topic:
    """Follow a new topic query."""
    topic = Topic(channel_id=channel_id, query=query)
    session.add(topic)
    await session.flush()
    return topic


async def remove_topics(session: AsyncSession, topics: list[Topic]) -> None:
    """Stop following these topics."""
    for topic in topics:
        await session.delete(topic)
    await session.flush()


async def channels_with_topics(session: AsyncSession) -> list[tuple[Channel, list[Topic]]]:
    """Every active channel with its topics (channels without topics are left out)."""
    rows = await session.exec(
        select(Channel, Topic)
        .join(Topic, col(Topic.channel_id) == col(Channel.id))
        .where(col(Channel.active).is_(True))
        .order_by(col(Channel.id), col(Topic.id))
    )
    grouped: dict[int, tuple[Channel, list[Topic]]] = {}
    for channel, topic in rows:
        assert channel.id is not None
        grouped.setdefault(channel.id, (channel, []))[1].append(topic)
    return list(grouped.values())


async def set_channel_active(
    session: AsyncSession, conversation: Conversation, active: bool
) -> Channel | None:
    """Mark a channel inactive when the bot is removed, active again when it is added back."""
    channel = await find_channel(session, conversation)
    if channel is not None and channel.active != active:
        channel.active = active
        session.add(channel)
        await session.flush()
    return channel
