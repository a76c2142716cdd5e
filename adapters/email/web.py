"""The e-mail adapter's pages on the `--http` port: one-click unsubscribe and asking a paper.

`POST /email/unsubscribe/<address>/<signature>` unsubscribes at once (RFC 8058 one-click: mail
clients POST `List-Unsubscribe=One-Click`); a GET shows a page with one button, because link
scanners follow GETs. `GET /email/ask/…?paper=KEY` shows a question form for a paper; its
POST answers from the full text, as a question in the paper's thread would. A link with a
wrong signature is a plain 404.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from adapters.email.links import ASK_PATH, UNSUBSCRIBE_PATH, verified_address
from adapters.email.render import plain_text
from bot.core import PaperBot
from bot.messages import Conversation, IncomingMessage
from bot.posts import Answer, Error, Post, Reply

PLATFORM = "email"
MAX_QUESTION = 2000


class _Kept:
    """A sender that keeps what the core answers, for the page."""

    def __init__(self) -> None:
        self.posts: list[Post] = []

    async def send(self, message: Post) -> str | None:
        """Keep the post."""
        self.posts.append(message)
        return None


def page(title: str, *body: str) -> web.Response:
    """A small HTML page; `body` lines are already escaped."""
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'</head><body style="font:16px system-ui;max-width:40rem;margin:2rem auto">'
            f"<h1>{escape(title)}</h1>{''.join(body)}</body></html>")  # fmt: skip
    csp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    return web.Response(text=html, content_type="text/html", headers={
        "Content-Security-Policy": csp, "Cache-Control": "no-store"})  # fmt: skip


def email_routes(bot: PaperBot, secret: str) -> list[web.RouteDef]:
    """The unsubscribe and ask routes, checking links against `secret`."""

    def address_of(request: web.Request, purpose: str) -> str:
        info = request.match_info
        address = verified_address(secret, purpose, info["address"], info["signature"])
        if address is None:
            raise web.HTTPNotFound(text="no such link")
        return address

    async def unsubscribe_form(request: web.Request) -> web.Response:
        address = address_of(request, "unsubscribe")
        return page(
            "Unsubscribe",
            f"<p>Stop the paper digests to {escape(address)}?</p>",
            '<form method="post"><button type="submit">Unsubscribe</button></form>',
        )

    async def unsubscribe(request: web.Request) -> web.Response:
        address = address_of(request, "unsubscribe")
        await bot.channel_membership(Conversation(PLATFORM, address), False)
        return page("Unsubscribed", f"<p>{escape(address)} gets no more digests.</p>")

    async def ask_form(request: web.Request) -> web.Response:
        address_of(request, "ask")
        paper = request.query.get("paper", "")
        return page(f"Ask about {paper}", '<form method="post">',
                    f'<input type="hidden" name="paper" value="{escape(paper)}">',
                    f'<textarea name="question" rows="4" cols="60" maxlength="{MAX_QUESTION}">'
                    "</textarea><br><button type=\"submit\">Ask</button></form>")  # fmt: skip

    async def ask(request: web.Request) -> web.Response:
        address = address_of(request, "ask")
        form = await request.post()
        paper, question = str(form.get("paper", "")), str(form.get("question", ""))
        if not paper or not question.strip() or len(question) > MAX_QUESTION:
            return page("Ask", f"<p>Write a question of up to {MAX_QUESTION} characters.</p>")
        kept = _Kept()
        reference = paper.partition(":")[2] if paper.startswith(("arxiv:", "doi:")) else paper
        text = f"ask {reference} {' '.join(question.split())}"
        await bot.handle(IncomingMessage(Conversation(PLATFORM, address), text, address), kept)
        shown = [p for p in kept.posts if isinstance(p, Answer | Error | Reply)]
        answers = "".join(f'<p style="white-space:pre-wrap">{escape(plain_text(p.text))}</p>'
                          for p in shown) or "<p>No answer came.</p>"  # fmt: skip
        return page(f"About {paper}", f"<p><b>{escape(question)}</b></p>", answers)

    return [
        web.get(UNSUBSCRIBE_PATH, unsubscribe_form), web.post(UNSUBSCRIBE_PATH, unsubscribe),
        web.get(ASK_PATH, ask_form), web.post(ASK_PATH, ask),
    ]  # fmt: skip
