"""A Sender that keeps what the core sent, numbering posts as a platform would."""

from __future__ import annotations

from bot.posts import Post


class RecordingSender:
    """Keeps every message sent; returns ids m1, m2, … like a platform's message ids."""

    def __init__(self) -> None:
        self.sent: list[Post] = []

    async def send(self, message: Post) -> str | None:
        """Record the message and return its id."""
        self.sent.append(message)
        return f"m{len(self.sent)}"

    @property
    def texts(self) -> list[str]:
        """The text of every message sent, in order."""
        return [m.text for m in self.sent]
