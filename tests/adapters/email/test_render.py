"""Digest mails are pure renderings: hostile paper text stays text, headers stay one line."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from adapters.email.render import Envelope, digest_mail, plain_text
from tests.adapters.telegram.test_render import digest_of
from tests.bot.digest.test_render import digest_paper

HOSTILE = '<script>alert(1)</script> "quoted" & <b>bold</b>\r\nBcc: victim@example.org'


class Tags(HTMLParser):
    """The start tags and href values of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def envelope() -> Envelope:
    return Envelope(sender="bot@lab.example.org", to="a@uni.example.org",
                    message_id="<paperbot.digest.2025-04-28.x@lab.example.org>",
                    unsubscribe="https://bot.example.org/email/unsubscribe/x/y",
                    sent_at=datetime(2025, 4, 28, 6, tzinfo=UTC),
                    ask=lambda key: f"https://bot.example.org/ask?paper={key}")  # fmt: skip


def test_hostile_titles_and_urls_are_text_in_both_parts() -> None:
    paper = digest_paper(title=HOSTILE, abs_url="javascript:alert(1)", reason=HOSTILE)
    mail = digest_mail(digest_of(paper, themes=(HOSTILE,)), envelope())
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    parsed = Tags()
    parsed.feed(html)
    assert "script" not in parsed.tags and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert not any(h.startswith("javascript") for h in parsed.hrefs)
    assert all(h.startswith("https://") for h in parsed.hrefs)
    assert "&lt;script&gt;" in html
    assert "\n" not in mail["Subject"] and mail["Bcc"] is None
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<script>alert(1)</script>" in plain  # plain text is shown as text, not run


def test_plain_text_drops_markdown_but_keeps_links() -> None:
    text = plain_text("**1. [A \\*star\\* result](https://arxiv.org/abs/2504.00001)**")
    assert text == "1. A *star* result <https://arxiv.org/abs/2504.00001>"
