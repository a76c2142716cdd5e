"""Topic queries: parsing, source needs, text normalization, indexing, matching and ranking.

Leaf package: it imports nothing else from `bot`, so any part of the bot can use it.
"""

from bot.query.index import IndexDoc, PaperIndex
from bot.query.lexer import QuerySyntaxError
from bot.query.match import CompiledQuery, compile_query
from bot.query.model import Query
from bot.query.naive import naive_match
from bot.query.needs import SourceNeeds
from bot.query.parser import MAX_QUERY_LENGTH, parse_query
from bot.query.rank import rank
from bot.query.terms import tokenize

__all__ = [
    "MAX_QUERY_LENGTH",
    "CompiledQuery",
    "IndexDoc",
    "PaperIndex",
    "Query",
    "QuerySyntaxError",
    "SourceNeeds",
    "compile_query",
    "naive_match",
    "parse_query",
    "rank",
    "tokenize",
]
