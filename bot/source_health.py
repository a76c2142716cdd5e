"""Source trouble in a channel's words: which of its sources a problem touches, and why.

A digest footer names a source the way the channel knows it ("arXiv cs.AI", "PLOS
Computational Biology") with a short reason a person understands; the raw error and URL stay
in the logs and `paperbot status`. A channel only ever hears of the sources its own topics
need.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from bot.config import Settings
from bot.query.values import feed_key
from bot.source_plan import SourcePlan
from bot.sources.arxiv_api import author_term

SERVERS = {"biorxiv": "bioRxiv", "medrxiv": "medRxiv"}
_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_REASONS = (
    ("timeout", "it did not answer in time"),
    ("connection error", "it could not be reached"),
    ("not an rss/atom feed", "the address is not a feed"),
    ("not well-formed", "the feed was malformed"),
    ("invalid json", "the answer was malformed"),
)


@dataclass(frozen=True)
class SourceProblem:
    """A source URL that is failing or still being fetched, with its raw error (for logs)."""

    url: str
    error: str = ""
    pending: bool = False


def human_reason(error: str) -> str:
    """A short reason a person understands, from a raw fetch error."""
    if match := _HTTP.search(error):
        code = int(match.group(1))
        if code in (404, 410):
            return "the address was not found"
        if code in (401, 403):
            return "the server refused access"
        if code == 429:
            return "the server asked us to slow down"
        if code >= 500:
            return "the server had an error"
    lowered = error.lower()
    for cue, reason in _REASONS:
        if cue in lowered:
            return reason
    return "it could not be read"


def source_label(
    plan: SourcePlan, url: str, settings: Settings, titles: Mapping[str, str] | None = None
) -> str | None:
    """How a channel with this plan knows the source at `url`; None when it does not need it."""
    arxiv = settings.arxiv_rss_url.rstrip("/") + "/"
    if url.startswith(arxiv):
        wanted = sorted(set(url[len(arxiv) :].split("+")) & plan.arxiv_categories)
        return f"arXiv {', '.join(wanted)}" if wanted else None
    details = settings.biorxiv_api_url.rstrip("/") + "/details/"
    if url.startswith(details):
        server = url[len(details) :].split("/", 1)[0]
        subjects = plan.biorxiv_subjects if server == "biorxiv" else plan.medrxiv_subjects
        whole = plan.biorxiv_all if server == "biorxiv" else plan.medrxiv_all
        if not (subjects or whole):
            return None
        name = SERVERS.get(server, server)
        return name if whole else f"{name} {', '.join(sorted(subjects))}"
    if url.startswith(settings.arxiv_api_url) and plan.arxiv_authors:
        terms = (author_term(name) for name in plan.arxiv_authors)
        return "arXiv author search" if any(t and t in unquote_plus(url) for t in terms) else None
    mine = {feed_key(feed): feed for feed in plan.feeds}
    if feed_key(url) not in mine:
        return None
    return (titles or {}).get(url) or mine[feed_key(url)]


def problem_note(label: str, problem: SourceProblem) -> str:
    """The footer line for one of the channel's sources that is missing from its digest."""
    if problem.pending:
        return f"Not fetched yet: {label} (still being fetched)."
    return f"Not fetched yet: {label} ({human_reason(problem.error)}; retrying)."
