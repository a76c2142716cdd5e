"""Making an answer safe to post: no pings, and no links except to the paper itself."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.models import Paper

ZWSP = "\u200b"
_ANGLE_MENTION = re.compile(r"<\s*([!@#])\s*([^<>|\s]*)(?:\|([^<>]*))?>")  # `<!here>` pings
_LINK_OR_URL = re.compile(
    r"\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)\)|(?P<url>(?:https?://|www\.)[^\s<>()\[\]`]+)",
    re.IGNORECASE,
)
_AT = re.compile(r"(?<![\w.])@(?=[\w.-])")
_URL_TRAILING = ".,;:!?'\""


def paper_links(paper: Paper, html_base: str = "https://arxiv.org/html/") -> tuple[str, ...]:
    """The URLs an answer may link to: the paper's own pages."""
    links = [paper.abs_url, paper.pdf_url or ""]
    if paper.arxiv_id:
        links += [f"https://arxiv.org/{kind}/{paper.arxiv_id}" for kind in ("abs", "pdf")]
        links.append(f"{html_base}{paper.arxiv_id}")
    if paper.doi:
        links.append(f"https://doi.org/{paper.doi}")
    return tuple(link for link in links if link)


def sanitize(text: str, allowed_links: Iterable[str] = ()) -> str:
    """Neutral Markdown with mentions defused and links kept only to `allowed_links`."""
    allowed = tuple(_bare(u) for u in allowed_links if u)
    text = _ANGLE_MENTION.sub(_special, text)
    text = _LINK_OR_URL.sub(lambda m: _link(m, allowed), text)
    return _AT.sub("@" + ZWSP, text)


def _special(match: re.Match[str]) -> str:
    """`<!channel>`, `<@U123>`, `<#C1|general>` → inert text."""
    kind, ident, label = match.group(1), match.group(2), match.group(3)
    shown = label or ident.split("^")[-1]
    return {"!": "@", "@": "@", "#": "#"}[kind] + ZWSP + shown


def _bare(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip(), flags=re.IGNORECASE)
    return url.rstrip("/").lower()


def _permitted(url: str, allowed: tuple[str, ...]) -> bool:
    bare = _bare(url)
    return any(bare == a or bare.startswith((a + "/", a + "v", a + "#", a + ".")) for a in allowed)


def _link(match: re.Match[str], allowed: tuple[str, ...]) -> str:
    if match.group("url") is not None:
        url = match.group("url")
        core = url.rstrip(_URL_TRAILING)
        tail = url[len(core) :]
        return (core if _permitted(core, allowed) else _inert(core)) + tail
    text, target = match.group("text"), match.group("target")
    if _permitted(target, allowed):
        return match.group(0)
    return f"{text} ({_inert(target)})" if text.strip() else _inert(target)


def _inert(url: str) -> str:
    """A URL shown as code without its scheme, so no platform turns it into a link."""
    shown = re.sub(r"^(?:https?://)", "", url, flags=re.IGNORECASE).replace("`", "")
    return f"`{shown}`"
