"""Console previews: what the Slack or Telegram adapter would post, printed instead of sent.

`paperbot console --render slack` prints each message's chat.postMessage payload (Block Kit)
as pretty JSON; `--render telegram` prints the HTML text of each sendMessage part. Typing
indicators print nothing, so a Slack preview is a plain stream of JSON documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.posts import Post, Typing, WeeklyBriefing

Renderer = Callable[[Post], str | None]
PREVIEWS = ("slack", "telegram")


def slack_preview(message: Post) -> str | None:
    """The Block Kit chat.postMessage kwargs of a post as pretty JSON."""
    if isinstance(message, Typing):
        return None
    from adapters.slack.render import render

    payload = render(message)
    if isinstance(message, WeeklyBriefing) and message.image is not None:
        payload["file"] = {"filename": message.image.name, "alt_text": message.image.alt}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def telegram_preview(message: Post) -> str | None:
    """The HTML text of each sendMessage part of a post, parts separated by a blank line."""
    if isinstance(message, Typing):
        return None
    from adapters.telegram.render import render

    parts = [kwargs["text"] for kwargs in render(message)]
    if isinstance(message, WeeklyBriefing) and message.image is not None:
        parts.append(f"[photo {message.image.name}: {message.image.alt}]")
    return "\n\n".join(parts)


def preview_renderer(name: str) -> Renderer:
    """The preview renderer called `name` ("slack" or "telegram")."""
    renderers: dict[str, Renderer] = {"slack": slack_preview, "telegram": telegram_preview}
    return renderers[name]
