"""The one command registry: every command's name, usage line, help, who may run it, its
argument parser and its handler, declared together. Buttons map to commands through it
(`button`), help and the adapters' command menus read it, and the core authorizes from it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands import digest as digest_cmds
from bot.commands import feedback, feeds, impact, info, library_sync, review, settings, topics
from bot.commands import library as library_cmds
from bot.commands import search as search_cmds
from bot.commands.arguments import (
    ask_args,
    choice,
    clock_time,
    day_list,
    digest_size,
    followup_args,
    language_code,
    library_args,
    min_score,
    no_args,
    optional_word,
    paper_ref,
    rank_args,
    topic_numbers,
    topic_query,
    weekly_args,
)
from bot.commands.grammar import Command, CommandSpec, command_word, parse_command

SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "subscribe", "subscribe <query>", "follow a topic", True, topic_query, topics.subscribe
    ),
    CommandSpec(
        "unsubscribe",
        "unsubscribe <n|all>",
        "stop following topics",
        True,
        topic_numbers,
        topics.unsubscribe,
    ),
    CommandSpec(
        "topics",
        "topics",
        "list this channel's topics and settings",
        False,
        no_args,
        topics.show_topics,
    ),
    CommandSpec(
        "time",
        "time <HH:MM> [timezone]",
        "set the digest time",
        True,
        clock_time,
        settings.set_time,
    ),
    CommandSpec(
        "days", "days <mon-fri|daily|…>", "set the digest days", True, day_list, settings.set_days
    ),
    CommandSpec(
        "language",
        "language <code>",
        "set the summaries' language",
        True,
        language_code,
        settings.set_language,
    ),
    CommandSpec(
        "size",
        "size <n>",
        "set how many papers a digest shows",
        True,
        digest_size,
        settings.set_size,
    ),
    CommandSpec("pause", "pause", "stop daily digests", True, no_args, settings.pause),
    CommandSpec("resume", "resume", "restart daily digests", True, no_args, settings.resume),
    CommandSpec(
        "digest",
        "digest [now|preview]",
        "post the digest now, or preview it",
        False,
        choice("now", "preview", default="now"),
        digest_cmds.digest,
    ),
    CommandSpec(
        "quiet",
        "quiet on|off",
        "say nothing on days when nothing matched",
        True,
        choice("on", "off"),
        settings.set_quiet,
    ),
    CommandSpec(
        "replacements",
        "replacements on|off",
        "include new versions of papers",
        True,
        choice("on", "off"),
        settings.set_replacements,
    ),
    CommandSpec(
        "followups",
        "followups on|off [version|code|published]",
        "replies in a posted paper's thread when a new version, code or the published "
        "version appears (withdrawals are always said)",
        True,
        followup_args,
        settings.set_followups,
    ),
    CommandSpec(
        "weekly",
        "weekly on|off [day]",
        "a weekly briefing on that day (default: the first digest day)",
        True,
        weekly_args,
        settings.set_weekly,
    ),
    CommandSpec(
        "sources", "sources", "show the sources and their health", False, no_args, info.show_sources
    ),
    CommandSpec(
        "ask", "ask <arxiv id|DOI|n> <question>", "ask about a paper", False, ask_args, info.ask
    ),
    CommandSpec(
        "review",
        "review <n|arxiv id|DOI>",
        "a referee's review (needs an LLM)",
        False,
        paper_ref,
        review.review,
        button="review",
    ),
    CommandSpec(
        "like",
        "like <n|arxiv id|DOI>",
        "👍 a paper: more like it",
        False,
        paper_ref,
        feedback.like,
        button="like",
    ),
    CommandSpec(
        "dislike",
        "dislike <n|arxiv id|DOI>",
        "👎 a paper: fewer like it",
        False,
        paper_ref,
        feedback.dislike,
        button="dislike",
    ),
    CommandSpec(
        "search",
        "search <query> [since:30d]",
        "search every stored paper (since: 30d, 2w, 6m, 1y or a date)",
        False,
        topic_query,
        search_cmds.search,
    ),
    CommandSpec(
        "more",
        "more <n|arxiv id|DOI>",
        "5 stored papers like this one",
        False,
        paper_ref,
        search_cmds.more,
        button="more",
    ),
    CommandSpec(
        "rank",
        "rank impact [week|today]",
        "rank recent papers by pairwise LLM impact judgments (needs an LLM)",
        False,
        rank_args,
        impact.rank_impact,
    ),
    CommandSpec(
        "briefing",
        "briefing now",
        "the weekly briefing of the last 7 days, now",
        False,
        choice("now", default="now"),
        impact.briefing_now,
    ),
    CommandSpec(
        "feed",
        "feed [reset]",
        "this channel's papers as a private Atom / JSON feed; reset makes new links",
        False,
        choice("show", "reset", default="show"),
        feeds.feed,
    ),
    CommandSpec(
        "library",
        "library [add <ids…>|remove <n|id>|clear|sync [collection]]",
        "the channel's seed library (arXiv ids, DOIs, URLs, or the Zotero library with sync): "
        "digests rank by it",
        False,
        library_args,
        library_sync.library,
    ),
    CommandSpec(
        "min-score",
        "min-score <0-100>",
        "leave out papers under this relevance (0-100: how well a paper fits this channel, "
        "from its topic words and its closeness to the library and 👍 papers; 0: off)",
        True,
        min_score,
        library_cmds.min_score,
    ),
    CommandSpec(
        "profile",
        "profile [reset]",
        "what the ranking learned (top terms, library size, votes); reset clears the votes",
        False,
        choice("show", "reset", default="show"),
        library_cmds.profile,
    ),
    CommandSpec(
        "help", "help [command]", "show the commands", False, optional_word, info.show_help
    ),
)
BY_NAME: Mapping[str, CommandSpec] = {spec.name: spec for spec in SPECS}
BUTTONS: Mapping[str, CommandSpec] = {spec.button: spec for spec in SPECS if spec.button}
# admin-only in groups when DIGEST_NOW_ADMIN_ONLY is set (adapters ask who is an admin)
ADMIN_IN_GROUPS = frozenset({"digest"})


def parse(text: str) -> Command:
    """A command line parsed against the registry (CommandError with the usage if bad)."""
    return parse_command(text, BY_NAME)


def needs_admin(text: str) -> bool:
    """Is `text`, said in a group, a command only an administrator may run (so the adapter
    must ask who is)?"""
    spec = BY_NAME.get(command_word(text))
    return spec is not None and (spec.admin or spec.name in ADMIN_IN_GROUPS)
