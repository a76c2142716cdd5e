"""A follow-up as neutral Markdown for the paper's thread."""

from __future__ import annotations

from bot.followups.detect import SHOWN_SENTENCES, Event

MAX_SENTENCE = 300


def render(event: Event) -> str:
    """The reply for one event ("**v3 is out.** Added: …")."""
    if event.kind == "withdrawn":
        return _withdrawn(event)
    if event.family == "version":
        return _version(event)
    if event.kind == "code":
        links = ", ".join(event.links)
        return f"**Code released**: {links}"
    if event.kind == "published":
        return _published(event)
    raise ValueError(f"unknown follow-up kind {event.kind!r}")


def _withdrawn(event: Event) -> str:
    if event.extra.get("notice"):
        what = event.extra.get("notice_type", "retraction")
        return (f"**Retracted.** Crossref lists a {what} notice for this paper: "
                f"https://doi.org/{event.extra['notice']}")  # fmt: skip
    reason = f" The authors' comment: “{_cut(event.comment)}”" if event.comment else ""
    return f"**Withdrawn.** arXiv lists v{event.version} of this paper as withdrawn.{reason}"


def _version(event: Event) -> str:
    lines = [f"**v{event.version} is out.**"]
    if event.added:
        lines.append("Added to the abstract: " + _quote(event.added))
    if event.removed:
        lines.append("No longer in the abstract: " + _quote(event.removed))
    if not (event.added or event.removed):
        lines.append("The abstract is unchanged.")
    if event.comment:
        lines.append(f"Comment: {_cut(event.comment)}")
    return "\n".join(lines)


def _published(event: Event) -> str:
    journal = event.extra.get("journal") or event.venue
    when = event.extra.get("date", "")
    where = f" in *{journal}*" if journal else ""
    where += f" ({when})" if when else ""
    lines = [f"**Published**{where}." + (f" https://doi.org/{event.doi}" if event.doi else "")]
    if event.venue and event.venue != journal:
        lines.append(f"Journal reference: {event.venue}")
    if event.extra.get("title"):
        lines.append(f"Published title: *{event.extra['title']}*")
    return "\n".join(lines)


def _quote(sentences: tuple[str, ...]) -> str:
    shown = " ".join(f"“{_cut(s)}”" for s in sentences[:SHOWN_SENTENCES])
    more = len(sentences) - SHOWN_SENTENCES
    return shown + (f" (and {more} more)" if more > 0 else "")


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_SENTENCE:
        return text
    return text[:MAX_SENTENCE].rsplit(" ", 1)[0] + "…"
