"""The parsed topic query value object."""

from __future__ import annotations

from dataclasses import dataclass

from bot.query.ast import Node, format_node
from bot.query.needs import SourceNeeds, needs_of


@dataclass(frozen=True)
class Query:
    """A parsed topic: the text as typed and its syntax tree. Build it with `parse_query`."""

    text: str
    ast: Node

    def requirements(self) -> SourceNeeds:
        """What must be fetched for this query (semantics in `bot.query.needs`)."""
        return needs_of(self.ast)

    def canonical(self) -> str:
        """A normalized rendering of the query (`cat:cs.cl` -> `cat:cs.CL`)."""
        return format_node(self.ast)
