"""The `paperbot` command line: console, fetch, and the long-running bot."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError

from adapters import known_adapters, unknown_adapters
from adapters.console_preview import PREVIEWS
from adapters.email.cli import add_parser as add_email_parser
from bot.collector import tune_collector
from bot.config import Settings
from paperbot.export import add_parser as add_export_parser
from paperbot.invalid import InvalidSettings
from paperbot.library_cli import add_parser as add_library_parser
from paperbot.logs import Redactor, configure_logging, secret_values


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="paperbot", description="Brings the day's new research papers into your chat."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    console = sub.add_parser(
        "console", help="type commands in the terminal (reads stdin to EOF if piped)"
    )
    console.add_argument(
        "--render",
        choices=PREVIEWS,
        help="print what Slack (Block Kit JSON) or Telegram (HTML) would be sent instead",
    )
    fetch = sub.add_parser("fetch", help="fetch what the subscribed topics need, print counts")
    fetch.add_argument("--date", type=date.fromisoformat, help="announcement date (YYYY-MM-DD)")
    run = sub.add_parser("run", help="run the adapters in ADAPTERS and the scheduler")
    run.add_argument("--http", action="store_true",
                     help="serve /healthz, /readyz, channel feeds and Slack over HTTP")
    run.add_argument("--port", type=int, default=3000, help="HTTP port with --http")
    sub.add_parser("status", help="per channel: last and next digest, papers, failures")
    sub.add_parser("demo", help="try it offline: the console on recorded feeds, dated today")
    sub.add_parser("doctor", help="check the settings against the database, sources, LLM, chats")
    usage = sub.add_parser("usage", help="LLM calls and tokens per day")
    usage.add_argument("--days", type=int, default=30, help="how many days to show")
    add_export_parser(sub)
    add_library_parser(sub)
    add_email_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `paperbot` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"paperbot: invalid settings:\n{settings_errors(error)}", file=sys.stderr)
        return 2
    unknown = unknown_adapters(settings.enabled_adapters)
    if unknown:  # every command says so, before it starts (the registry knows the names)
        print(f"paperbot: invalid settings:\n  ADAPTERS: names unknown adapters {unknown}; "
              f"known: {', '.join(known_adapters())}", file=sys.stderr)  # fmt: skip
        return 2
    default_level = "INFO" if args.command == "run" else "WARNING"
    redactor = configure_logging(settings.log_level or default_level, settings.log_format, settings)
    from adapters.email.cli import email_command
    from paperbot import commands
    from paperbot.export import export
    from paperbot.library_cli import library_import

    runner = {
        "console": commands.console,
        "fetch": commands.fetch,
        "usage": commands.usage,
        "run": commands.run,
        "status": commands.status,
        "doctor": commands.doctor,
        "demo": commands.demo,
        "export": export,
        "library": library_import,
        "email": email_command,
    }[args.command]
    tune_collector()
    try:
        return asyncio.run(runner(settings, args))
    except KeyboardInterrupt:
        return 130
    except ValidationError as error:  # an adapter's own settings
        print(f"paperbot: invalid settings:\n{settings_errors(error)}", file=sys.stderr)
        return 2
    except InvalidSettings as error:
        print(f"paperbot: invalid settings:\n  {redactor(str(error))}", file=sys.stderr)
        return 2
    except Exception as error:  # a clear, redacted line rather than a traceback with tokens
        print(f"paperbot: {redactor(f'{type(error).__name__}: {error}')}", file=sys.stderr)
        return 1


def settings_errors(error: ValidationError) -> str:
    """Each invalid setting and why, without the values given (they may be secrets)."""
    redactor = Redactor(secret_values())
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in item.get("loc", ())) or "settings"
        lines.append(f"  {where.upper()}: {item.get('msg', '')}")
    return redactor("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
