"""Channel feed tokens: one unguessable token per channel, looked up to serve its feed."""

from __future__ import annotations

import secrets

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Channel, ChannelFeed, utcnow
from bot.store.db import insert_ignoring_duplicates

TOKEN_BYTES = 24  # 192 bits, URL-safe base64: 32 characters


def new_token() -> str:
    """A fresh unguessable token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


async def feed_token(session: AsyncSession, channel_id: int) -> str:
    """The channel's token, made on first use (a concurrent first use keeps one)."""
    row = {"channel_id": channel_id, "token": new_token(), "created_at": utcnow()}
    await insert_ignoring_duplicates(session, ChannelFeed, [row])
    found = await session.exec(
        select(ChannelFeed.token).where(ChannelFeed.channel_id == channel_id)
    )
    return found.one()


async def reset_feed_token(session: AsyncSession, channel_id: int) -> str:
    """Replace the channel's token: the old feed addresses stop working."""
    await feed_token(session, channel_id)
    row = (
        await session.exec(select(ChannelFeed).where(ChannelFeed.channel_id == channel_id))
    ).one()
    row.token, row.created_at = new_token(), utcnow()
    session.add(row)
    return row.token


async def channel_for_token(session: AsyncSession, token: str) -> Channel | None:
    """The channel whose feed token this is, or None."""
    if not token or len(token) > 64:
        return None
    statement = select(Channel).join(ChannelFeed, ChannelFeed.channel_id == Channel.id)
    return (await session.exec(statement.where(ChannelFeed.token == token))).first()
