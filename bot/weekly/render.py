"""The briefing as a post: neutral Markdown with its text table, and the chart as image."""

from __future__ import annotations

from bot.digest.render import escape_markdown
from bot.i18n import labels
from bot.impact.tournament import ImpactPick
from bot.messages import Conversation
from bot.posts import Image, WeeklyBriefing
from bot.weekly.chart import chart_png, day_label, short
from bot.weekly.fields import Cited, CrossField
from bot.weekly.model import Briefing, TopPaper

TOPIC_WIDTH = 28


def briefing_post(briefing: Briefing, conversation: Conversation) -> WeeklyBriefing:
    """The briefing post: text (always with the table) plus the chart as a PNG."""
    t = labels(briefing.language)
    table = briefing_table(briefing)
    image = chart_png(briefing.days, briefing.counts, t["weekly_chart"])
    name = f"paperbot-week-{briefing.days[0].isoformat()}.png"
    chart = Image(image, name, f"{t['weekly_chart']}\n{table}")
    return WeeklyBriefing(conversation, briefing_markdown(briefing), image=chart)


def briefing_markdown(briefing: Briefing) -> str:
    """Title, count, top papers, themes and the per-topic table as neutral Markdown."""
    t = labels(briefing.language)
    first, last = briefing.days[0], briefing.days[-1]
    lines = [
        f"**{t['weekly_title'].format(first=first.isoformat(), last=last.isoformat())}**",
        t["weekly_summary"].format(papers=briefing.papers),
    ]
    if briefing.top:
        lines += ["", f"**{t['weekly_top']}**"]
        lines += [top_line(n, p, t["score"]) for n, p in enumerate(briefing.top, 1)]
    if briefing.impact:
        lines += ["", f"**{t['impact_title']}**"]
        lines += [impact_line(n, p, t["impact_record"]) for n, p in enumerate(briefing.impact, 1)]
    if briefing.cross is not None:
        lines += cross_field_lines(briefing.cross, t)
    if briefing.themes:
        lines += ["", f"**{t['weekly_themes']}**"]
        lines += [f"- {escape_markdown(theme)}" for theme in briefing.themes]
    lines += ["", f"**{t['weekly_chart']}**", "```", briefing_table(briefing), "```"]
    return "\n".join(lines)


def top_line(number: int, paper: TopPaper, score_label: str) -> str:
    """ "1. [Title](url) · cs.CL · Score 83 · 👍 +2", then the one-line summary."""
    parts = [f"{number}. [{escape_markdown(paper.title)}]({paper.url})"]
    parts += [paper.category or "other", f"{score_label} {paper.score}"]
    if paper.votes:
        parts.append(f"{'👍' if paper.votes > 0 else '👎'} {paper.votes:+d}")
    line = " · ".join(parts)
    return f"{line}\n   {escape_markdown(paper.one_line)}" if paper.one_line else line


def impact_line(number: int, pick: ImpactPick, record: str) -> str:
    """ "1. [Title](url) · cs.CL · 4–1", then the reason from its strongest win."""
    won = record.format(wins=pick.wins, losses=pick.losses)
    line = f"{number}. [{escape_markdown(pick.title)}]({pick.url}) · {pick.category or 'other'}"
    line += f" · {won}"
    return f"{line}\n   {escape_markdown(pick.reason)}" if pick.reason else line


def cross_field_lines(cross: CrossField, t: dict[str, str]) -> list[str]:
    """Each field's note with the papers it cites, then the connections."""
    lines = ["", f"**{t['fields_title']}**"]
    for note in cross.notes:
        lines.append(f"- **{escape_markdown(note.field)}**: {escape_markdown(note.text)}")
        if note.papers:
            lines.append("  " + cited_links(note.papers))
    if cross.connections:
        lines += ["", f"**{t['connections']}**: {escape_markdown(cross.connections)}"]
        if cross.cited:
            lines.append(cited_links(cross.cited))
    return lines


def cited_links(papers: tuple[Cited, ...]) -> str:
    """ "#3 [Title](url) · #7 [Title](url)" for the papers a note cites."""
    return " · ".join(
        f"#{c.number} [{escape_markdown(short(c.title, 80))}]({c.url})" for c in papers
    )


def briefing_table(briefing: Briefing) -> str:
    """Papers per topic per day as a fixed-width text table (the chart's fallback)."""
    t = labels(briefing.language)
    days = [day_label(d).split()[0] for d in briefing.days]
    head = [t["weekly_topic"].ljust(TOPIC_WIDTH), *(d.rjust(4) for d in days)]
    rows = [" ".join([*head, t["weekly_total"].rjust(6)])]
    for topic in briefing.counts:
        name = short(topic.topic.replace("`", "'"), TOPIC_WIDTH).ljust(TOPIC_WIDTH)
        cells = [str(n).rjust(4) for n in topic.per_day]
        rows.append(" ".join([name, *cells, str(topic.total).rjust(6)]))
    return "\n".join(rows)
