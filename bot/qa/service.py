"""Answering a question about a paper: its cached full text, the best passages, the thread's
earlier turns, and an LLM (fenced, metered, purpose "qa") or, without one, quoted extracts.

The LLM's answer is checked (`bot.qa.citations`): when a claim cites no passage it was
given, or cites a section it was not shown, the answer is shown with those passages quoted
under it, so a reader can check it. The passages given are sized to the server's measured
prompt speed: reading them may take at most a third of LLM_CALL_SECONDS.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import structlog

from bot.config import Settings
from bot.llm.client import LLMClient, LLMError
from bot.llm.metered import Metered, UsageLedger
from bot.messages import Conversation
from bot.models import Paper
from bot.qa.cache import FullTextCache
from bot.qa.citations import check_citations
from bot.qa.extracts import BUDGET_SPENT, LLM_FAILED, NO_LLM, extracts_answer, passages_under
from bot.qa.fulltext import FullTextFetcher
from bot.qa.history import condense, follow_up_context
from bot.qa.prompts import qa_messages
from bot.qa.resolve import PaperResolver
from bot.qa.retrieve import Scored
from bot.qa.sanitize import paper_links, sanitize
from bot.qa.store import add_turn, recent_turns
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from bot.store.usage import UsageRecorder

log = structlog.get_logger(__name__)
PURPOSE = "qa"
MAX_ANSWER_CHARS = 8_000
MAX_TOKENS = 600  # ~250 words asked for; more is a model that does not stop
MIN_CONTEXT_TOKENS = 400
PROMPT_SHARE = 1 / 3  # of LLM_CALL_SECONDS, for reading the passages at the measured speed
SOURCE_NAMES = {
    "html": "the arXiv HTML full text",
    "pdf": "the PDF full text",
    "jats": "the full text (JATS XML)",
    "abstract": "the abstract only (no full text could be read)",
}
_OUTER_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(.*)\n```\s*$", re.DOTALL)


@dataclass(frozen=True)
class Answer:
    """An answer ready to post, and how it was made."""

    text: str
    source: str  # the full text's kind: "html" | "pdf" | "jats" | "abstract"
    used_llm: bool


class QAService:
    """Answers questions about papers from their full text."""

    def __init__(
        self,
        db: Database,
        cache: FullTextCache,
        resolver: PaperResolver,
        settings: Settings,
        *,
        llm: LLMClient | None = None,
        usage: UsageLedger | None = None,
    ) -> None:
        self._db = db
        self._cache = cache
        self._resolver = resolver
        self._settings = settings
        self._calls = Metered.for_purpose(llm, settings, usage, PURPOSE) if llm and usage else None

    def context_tokens(self) -> int:
        """Tokens of passages to give: QA_CONTEXT_TOKENS, or fewer for a slow server."""
        budget = self._settings.qa_context_tokens
        speed = self._calls.client.speed.prompt_tps if self._calls is not None else None
        if speed is None:
            return budget
        affordable = int(speed * self._settings.llm_call_seconds * PROMPT_SHARE)
        return max(MIN_CONTEXT_TOKENS, min(budget, affordable))

    async def resolve(self, reference: str) -> Paper | None:
        """The paper an arXiv id/URL, DOI or key names (looked up and stored if new)."""
        return await self._resolver.resolve(reference)

    async def answer(
        self, paper: Paper, question: str, conversation: Conversation, language: str
    ) -> Answer:
        """The answer to `question` about `paper` in `language`; remembered in the thread."""
        assert paper.id is not None
        index = await self._cache.index(paper)
        async with self._db.session() as session:
            turns = await recent_turns(session, conversation, paper.id)
        earlier = follow_up_context(question, turns)
        found = index.retrieve(question, self.context_tokens(), earlier)
        hits = found.hits
        history = condense(turns, self._settings.qa_history_tokens)
        body = await self._llm_answer(paper, hits, question, history, language)
        used_llm = body is not None
        if body is not None and not check_citations(body, [h.chunk.section for h in hits]).ok:
            log.info("qa.uncited_answer", paper=paper.key)
            body = f"{body}\n\n{passages_under(hits, question, language)}"
        if body is None:
            reason = await self._no_answer_reason()
            body = extracts_answer(hits, question, language, reason, found)
        text = self._finish(paper, body, index.kind)
        async with self._db.session() as session:
            await add_turn(session, conversation, paper.id, question, body)
        return Answer(text, index.kind, used_llm)

    async def _llm_answer(
        self, paper: Paper, hits: list[Scored], question: str, history: list[str], language: str
    ) -> str | None:
        """The LLM's answer, or None (no LLM, over budget, failure, empty reply)."""
        if self._calls is None or await self._calls.over_budget():
            return None
        messages = qa_messages(paper.title, [h.chunk for h in hits], question, history, language)
        try:
            async with asyncio.timeout(self._settings.llm_max_seconds):
                reply = await self._calls.text(messages, max_tokens=MAX_TOKENS)
        except LLMError as error:
            log.warning("qa.llm_failed", paper=paper.key, error=str(error))
            return None
        except TimeoutError:
            log.warning("qa.llm_deadline", paper=paper.key)
            return None
        if reply.cut_off or PASSAGE_MARKUP.search(reply.content):
            # cut at max_tokens, or the prompt's passages echoed back (a small model's habit):
            # either way not an answer, and its "citations" would only be the labels it copied
            log.warning("qa.llm_unusable", paper=paper.key, cut_off=reply.cut_off)
            return None
        return _tidy(reply.content)

    async def _no_answer_reason(self) -> str:
        """Why the answer is extracts: no LLM, today's budget spent, or the LLM failed."""
        if self._calls is None:
            return NO_LLM
        return BUDGET_SPENT if await self._calls.over_budget() else LLM_FAILED

    def _finish(self, paper: Paper, body: str, kind: str) -> str:
        """The answer sanitized, with a line saying what it was read from."""
        link = f"[{_link_text(paper.title)}]({paper.abs_url})" if paper.abs_url else paper.title
        footer = f"_Read from {SOURCE_NAMES.get(kind, kind)} of {link}._"
        allowed = paper_links(paper, self._settings.arxiv_html_url)
        return sanitize(f"{body.strip()}\n\n{footer}", allowed)


PASSAGE_MARKUP = re.compile(r"</?passage\b", re.IGNORECASE)


def _tidy(content: str) -> str | None:
    text = content.strip()
    fenced = _OUTER_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    return text[:MAX_ANSWER_CHARS] or None


def _link_text(title: str) -> str:
    return re.sub(r"[\[\]\n]", " ", title).strip()


def make_qa_service(
    db: Database, http: HttpFetcher, settings: Settings, llm: LLMClient | None
) -> QAService:
    """The Q&A service: LLM answers when `llm` is given (usage recorded), else extracts."""
    limit = int(settings.qa_cache_mb * 1024 * 1024)
    cache = FullTextCache(db, FullTextFetcher(http, settings), limit_chars=limit)
    resolver = PaperResolver(db, http, settings)
    usage = UsageRecorder(db) if llm is not None else None
    return QAService(db, cache, resolver, settings, llm=llm, usage=usage)
