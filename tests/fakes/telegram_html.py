"""What Telegram does with parse_mode=HTML text: check the tags, and the text it would show."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unsupported start tag {tag!r}")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unmatched end tag {tag!r}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> tuple[str, str, list[str]]:
    """(problem or "", visible text, link hrefs) of Telegram HTML."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.stack:
        parser.problems.append(f"unclosed tags {parser.stack}")
    problem = parser.problems[0] if parser.problems else ""
    return problem, "".join(parser.text), parser.links


def check_html(text: str, parse_mode: str | None) -> tuple[str, str]:
    """(problem or "", the text Telegram would show) for a sendMessage text."""
    if parse_mode != "HTML":
        return "", text
    problem, visible, _links = parse_html(text)
    return problem, visible
