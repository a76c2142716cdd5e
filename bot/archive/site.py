"""A browsable archive: an index page and one HTML page per channel per day, linked relatively."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.archive.html import document, text, to_html
from bot.archive.load import channel_label, load_days
from bot.archive.model import ArchivePage
from bot.models import Channel
from bot.summary.types import Summarizer

INDEX = "index.html"


@dataclass(frozen=True)
class ChannelArchive:
    """One channel's folder name and its day pages."""

    label: str
    folder: str
    pages: tuple[ArchivePage, ...]


def folder_name(channel: Channel) -> str:
    """A safe, unique folder name for a channel: its id, platform and name."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{channel.platform}-{channel.channel}").strip("-")
    return f"{channel.id}-{name}"


def index_html(archives: list[ChannelArchive]) -> str:
    """The archive's front page: every channel with links to its days."""
    body = ["<header><h1>Paper archive</h1></header>", "<main>"]
    for archive in archives:
        body.append(f"<section><h2>{text(archive.label)}</h2><ul>")
        for page in reversed(archive.pages):
            href = f"{archive.folder}/{page.first.isoformat()}.html"
            label = f"{page.first.isoformat()} · {len(page.papers)} papers"
            body.append(f'<li><a href="{href}">{text(label)}</a></li>')
        body.append("</ul></section>")
    if not archives:
        body.append("<p>No digests have been delivered yet.</p>")
    return document("Paper archive", [*body, "</main>"])


async def build_site(session: AsyncSession, summarizer: Summarizer) -> dict[str, str]:
    """Relative path -> HTML for the index and every channel's day pages."""
    channels = await session.exec(select(Channel).order_by(col(Channel.id)))
    archives = []
    for channel in list(channels):
        pages = await load_days(session, channel, summarizer)
        if pages:
            archives.append(ChannelArchive(channel_label(channel), folder_name(channel),
                                           tuple(pages)))  # fmt: skip
    files = {INDEX: index_html(archives)}
    for archive in archives:
        for page in archive.pages:
            path = f"{archive.folder}/{page.first.isoformat()}.html"
            files[path] = to_html(page, back=f"../{INDEX}")
    return files
