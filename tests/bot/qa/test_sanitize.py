"""Answers are safe to post: pings defused, links only to the paper."""

from __future__ import annotations

from bot.qa.sanitize import ZWSP, sanitize

PAPER = ("https://arxiv.org/abs/2501.10120", "https://arxiv.org/pdf/2501.10120")


def test_pings_are_defused() -> None:
    text = sanitize("<!channel> <!here> <!subteam^S1|team> <@U0LAN0Z89> @channel @everyone")
    assert "<!" not in text and "<@" not in text
    assert f"@{ZWSP}channel" in text and f"@{ZWSP}everyone" in text
    assert f"@{ZWSP}U0LAN0Z89" in text and f"@{ZWSP}team" in text


def test_only_paper_links_survive() -> None:
    text = sanitize(
        "[paper](https://arxiv.org/abs/2501.10120) https://arxiv.org/pdf/2501.10120v1, "
        "[click](https://evil.example/a) https://github.com/x/y. www.spam.example",
        PAPER,
    )
    assert "[paper](https://arxiv.org/abs/2501.10120)" in text
    assert "https://arxiv.org/pdf/2501.10120v1," in text
    assert "click (`evil.example/a`)" in text and "`github.com/x/y`." in text
    assert "`www.spam.example`" in text and "https://evil" not in text


def test_other_arxiv_papers_are_not_links() -> None:
    assert "https://" not in sanitize("https://arxiv.org/abs/2501.1012", PAPER)
