"""Commands that change how a channel gets its digest: time, language, size, pause, …"""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.topics import describe_settings
from bot.followups.kinds import SWITCHABLE, kinds_off
from bot.schedule import DAY_NAMES
from bot.store.channels import get_or_create_channel


async def _update(ctx: Context, done: str, **changes: object) -> None:
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        for name, value in changes.items():
            setattr(channel, name, value)
        session.add(channel)
    await ctx.reply(f"{done}\n{describe_settings(channel)}")


async def set_time(ctx: Context, hhmm: str, timezone: str | None) -> None:
    """Set the local digest time (and optionally the timezone)."""
    changes: dict[str, object] = {"digest_time": hhmm}
    if timezone:
        changes["timezone"] = timezone
    await _update(ctx, f"Digest time set to {hhmm}{' ' + timezone if timezone else ''}.", **changes)


async def set_days(ctx: Context, days: str) -> None:
    """Set the weekdays digests arrive on."""
    await _update(ctx, f"Digests on {days}.", digest_days=days)


async def set_language(ctx: Context, code: str) -> None:
    """Set the language summaries and labels are written in."""
    await _update(ctx, f"Language set to {code}.", language=code)


async def set_size(ctx: Context, size: int) -> None:
    """Set how many papers a digest shows."""
    await _update(ctx, f"Digests will show up to {size} papers.", max_papers=size)


async def pause(ctx: Context) -> None:
    """Stop scheduled digests (topics are kept)."""
    await _update(ctx, "Paused: no scheduled digests until `resume`.", paused=True)


async def resume(ctx: Context) -> None:
    """Restart scheduled digests."""
    await _update(ctx, "Resumed: digests are back on schedule.", paused=False)


async def set_quiet(ctx: Context, value: str) -> None:
    """Whether days with no match post nothing (on) or a one-line note (off)."""
    await _update(ctx, f"Quiet {value}.", quiet=value == "on")


async def set_replacements(ctx: Context, value: str) -> None:
    """Whether new versions of papers count as news."""
    await _update(ctx, f"Replacements {value}.", replacements=value == "on")


async def set_weekly(ctx: Context, state: str, day: str | None) -> None:
    """Turn the weekly briefing on (on `day`, default the first digest day) or off."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        channel.weekly_day = (day or first_day(channel.digest_days)) if state == "on" else None
        session.add(channel)
    done = (
        f"Weekly briefing on {channel.weekly_day} at {channel.digest_time}."
        if channel.weekly_day
        else "Weekly briefing off."
    )
    await ctx.reply(f"{done}\n{describe_settings(channel)}")


def first_day(spec: str) -> str:
    """The first day a digest-days spec names ("sun-thu" → sun; "daily" → mon)."""
    first = spec.strip().lower().split(",")[0].split("-")[0].strip()
    return first if first in DAY_NAMES else DAY_NAMES[0]


async def set_followups(ctx: Context, value: str, kinds: tuple[str, ...]) -> None:
    """Switch follow-up kinds on or off for this channel (withdrawals cannot be)."""
    async with ctx.deps.db.session() as session:
        channel = await get_or_create_channel(session, ctx.message.conversation, ctx.deps.settings)
        off = set(kinds_off(channel.followups_off))
        off = off - set(kinds) if value == "on" else off | set(kinds)
        channel.followups_off = ",".join(sorted(off))
        session.add(channel)
    on = [k for k in SWITCHABLE if k not in off]
    await ctx.reply(
        f"Follow-ups in paper threads: {', '.join(on) if on else 'only withdrawals'}"
        + (f" (off: {', '.join(sorted(off))})" if off else "")
        + ". Withdrawals and retractions are always said."
    )
