"""Console previews: what the Slack or Telegram adapter would post, printed instead of sent.

`paperbot console --render slack` prints each message's chat.postMessage payload (Block Kit)
as pretty JSON; `--render telegram` prints the HTML text of each sendMessage part. Typing
indicators print nothing, so a Slack preview is a plain stream of JSON documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.messages import OutgoingMessage

Renderer = Callable[[OutgoingMessage], str | None]
PREVIEWS = ("slack", "telegram")


def slack_preview(message: OutgoingMessage) -> str | None:
    """The Block Kit chat.postMessage kwargs of a message as pretty JSON."""
    if message.kind == "typing":
        return None
    from adapters.slack.render import render

    payload = render(message)
    if message.image is not None:
        payload["file"] = {"filename": message.image_name, "alt_text": message.image_alt}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def telegram_preview(message: OutgoingMessage) -> str | None:
    """The HTML text of each sendMessage part of a message, parts separated by a blank line."""
    if message.kind == "typing":
        return None
    from adapters.telegram.render import render

    parts = [kwargs["text"] for kwargs in render(message)]
    if message.image is not None:
        parts.append(f"[photo {message.image_name}: {message.image_alt}]")
    return "\n\n".join(parts)


def preview_renderer(name: str) -> Renderer:
    """The preview renderer called `name` ("slack" or "telegram")."""
    renderers: dict[str, Renderer] = {"slack": slack_preview, "telegram": telegram_preview}
    return renderers[name]
