"""What the core sends: one frozen dataclass per kind of post, rendered by type in each adapter.

Every post carries its conversation, and optionally `reply_to` (the platform id of the message
it answers) and `marker` (an idempotency key for scheduled posts: a sender that is a
`PostFinder` attaches it, as message metadata say, so a resumed delivery never re-posts).
`text` is always neutral Markdown; digest posts compute it from their structure, which an
adapter may render natively instead. An adapter looks its renderer up by the post's exact type
with `render_post`: a type it has no renderer for raises `UnknownPost`, never passes silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from bot.digest.model import Digest, DigestPaper
from bot.digest.render import header_markdown, paper_markdown
from bot.messages import Button, Conversation


@dataclass(frozen=True)
class Image:
    """A PNG shown with a post (a file upload or a photo); the post's text stands without it."""

    data: bytes
    name: str = "image.png"
    alt: str = ""


@dataclass(frozen=True)
class Post:
    """The fields every post has; never sent itself (only its subclasses are)."""

    kind: ClassVar[str] = "post"  # a stable name for logs and metrics, not for dispatch
    conversation: Conversation
    _: KW_ONLY
    reply_to: str | None = None
    marker: str | None = None
    ephemeral: bool = False  # seen only by the person who asked, where the platform can
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The post as neutral Markdown."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Written(Post):
    """A post whose Markdown the core wrote."""

    body: str = ""

    @property
    def text(self) -> str:
        """The post as neutral Markdown."""
        return self.body


@dataclass(frozen=True)
class Reply(_Written):
    """A command's answer (help, settings, lists, confirmations)."""

    kind: ClassVar[str] = "reply"


@dataclass(frozen=True)
class Error(_Written):
    """A refusal or failure the person should read (bad input, a limit, a crash logged)."""

    kind: ClassVar[str] = "error"


@dataclass(frozen=True)
class Answer(_Written):
    """An answer to a question about a paper (Q&A, review, impact), in the asker's thread."""

    kind: ClassVar[str] = "answer"


@dataclass(frozen=True)
class Typing(Post):
    """No text: show that the bot is working on `reply_to` (a reaction or typing indicator)."""

    kind: ClassVar[str] = "typing"

    @property
    def text(self) -> str:
        """Nothing to say."""
        return ""


@dataclass(frozen=True)
class DigestHeader(Post):
    """A digest's first post: date, counts by category, themes, notes.

    Without a digest it is the short note of a day with nothing new (`note`).
    """

    kind: ClassVar[str] = "digest_header"
    digest: Digest | None = None
    note: str = ""

    @property
    def text(self) -> str:
        """The header as neutral Markdown."""
        return header_markdown(self.digest) if self.digest is not None else self.note


@dataclass(frozen=True)
class PaperPost(Post):
    """One paper of a digest: its own message, so it has its own thread."""

    kind: ClassVar[str] = "digest_paper"
    _: KW_ONLY
    digest: Digest
    paper: DigestPaper

    @property
    def text(self) -> str:
        """The paper as neutral Markdown."""
        return paper_markdown(self.paper, self.digest.language)


@dataclass(frozen=True)
class WeeklyBriefing(_Written):
    """The weekly briefing: Markdown with its text table, and the chart as an image."""

    kind: ClassVar[str] = "weekly_briefing"
    image: Image | None = None


@dataclass(frozen=True)
class FollowupPost(_Written):
    """News about a posted paper (a new version, code, publication), in the paper's thread."""

    kind: ClassVar[str] = "followup"


POST_TYPES: tuple[type[Post], ...] = (
    Reply, Error, Answer, Typing, DigestHeader, PaperPost, WeeklyBriefing, FollowupPost,
)  # fmt: skip


class UnknownPost(TypeError):
    """An adapter was given a post type it has no renderer for."""


R = TypeVar("R")


def render_post(renderers: Mapping[type[Any], Callable[[Any], R]], post: Post) -> R:
    """Render `post` with the renderer registered for its exact type; raise UnknownPost if none."""
    renderer = renderers.get(type(post))
    if renderer is None:
        raise UnknownPost(f"no renderer for {type(post).__name__} posts")
    return renderer(post)


def paper_buttons(paper: DigestPaper) -> tuple[Button, ...]:
    """The actions offered on every paper post."""
    return _buttons(paper.key)


@lru_cache(maxsize=16_384)  # the same tuple for every post of a paper: digests share it
def _buttons(key: str) -> tuple[Button, ...]:
    return (
        Button("like", "👍", key),
        Button("dislike", "👎", key),
        Button("review", "Review", key),
        Button("ask", "Ask", key),
        Button("more", "More like this", key),
    )


def digest_posts(
    digest: Digest, conversation: Conversation, marker: str | None = None
) -> list[Post]:
    """The digest as posts: its header, then one post per paper; with `marker`, each post's
    idempotency marker is `marker:header` or `marker:<paper id>`."""
    header: Post = DigestHeader(
        conversation, digest=digest, marker=f"{marker}:header" if marker else None
    )
    return [header] + [
        PaperPost(conversation, digest=digest, paper=paper, buttons=_buttons(paper.key),
                  marker=f"{marker}:{paper.paper_id}" if marker else None)
        for paper in digest.papers
    ]  # fmt: skip
