"""Sending the core's posts as mails over SMTP (aiosmtplib), one connection per mail.

A digest goes out whole with its header post; each paper post that follows is already in that
mail, so it sends nothing and is recorded as `<Message-ID>#<number>` (its "thread": a
follow-up about it replies to the digest mail). Message-IDs are stable: a digest's is made of
its channel and date, a follow-up's or briefing's of its marker, so a mail re-sent after a
crash (SMTP cannot be asked what went out) is recognisable as the same mail. A recipient the
server refuses for good (5xx) makes the channel unavailable; anything else raises, and the
delivery is retried.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import aiosmtplib
import structlog

from adapters.email import render
from adapters.email.links import ask_url, unsubscribe_url
from adapters.email.settings import EmailSettings
from bot import posts
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import DigestHeader, PaperPost, Post, Typing, render_post

log = structlog.get_logger(__name__)
PLATFORM = "email"


class SmtpCertificateError(aiosmtplib.SMTPException):
    """The SMTP server's certificate failed verification (the mail was not sent)."""


class EmailSender:
    """Mails the core's posts to the address a conversation names."""

    def __init__(
        self,
        settings: EmailSettings,
        public_url: str,
        *,
        ask_links: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._base = public_url
        self._ask_links = ask_links
        self._clock = clock
        self._domain = parseaddr(settings.from_address)[1].rpartition("@")[2] or "localhost"
        self._renderers = {
            DigestHeader: self._digest, posts.FollowupPost: self._followup,
            posts.WeeklyBriefing: self._briefing, posts.Reply: self._note,
            posts.Error: self._note, posts.Answer: self._note,
        }  # fmt: skip

    async def send(self, message: Post) -> str | None:
        """Mail the post; return its Message-ID (a paper post: its place in the digest mail)."""
        if isinstance(message, Typing):
            return None
        if isinstance(message, PaperPost):
            return f"{self.digest_id(message.conversation, message.digest.digest_date)}" \
                   f"#{message.paper.number}"  # fmt: skip
        mail = render_post(self._renderers, message)
        await self._deliver(message.conversation, mail)
        return str(mail["Message-ID"])

    def digest_id(self, conversation: Conversation, day: object) -> str:
        """The stable Message-ID of a channel's digest for a date."""
        return f"<paperbot.digest.{day}.{_hash(conversation.channel)}@{self._domain}>"

    def envelope(self, post: Post, message_id: str, in_reply_to: str = "") -> render.Envelope:
        """Addresses, ids and links of a mail for this post's conversation."""
        address, s = post.conversation.channel, self._settings
        ask = None
        if self._ask_links:
            ask = lambda key: ask_url(self._base, s.link_secret, address, key)  # noqa: E731
        return render.Envelope(
            sender=s.from_address, to=address, message_id=message_id,
            unsubscribe=unsubscribe_url(self._base, s.link_secret, address),
            sent_at=self._clock(), reply_to=s.reply_to, in_reply_to=in_reply_to, ask=ask,
        )  # fmt: skip

    def _digest(self, post: DigestHeader) -> EmailMessage:
        if post.digest is None:
            day = self._clock().date()
            return render.quiet_mail(post, self.envelope(post, self.digest_id(
                post.conversation, day)))  # fmt: skip
        message_id = self.digest_id(post.conversation, post.digest.digest_date)
        return render.digest_mail(post.digest, self.envelope(post, message_id))

    def _followup(self, post: posts.FollowupPost) -> EmailMessage:
        parent = (post.conversation.thread or "").partition("#")[0]
        subject = "Re: " + render.one_line(post.text.split("\n", 1)[0].replace("*", ""))
        return render.note_mail(post, subject, self.envelope(post, self._id_of(post), parent))

    def _briefing(self, post: posts.WeeklyBriefing) -> EmailMessage:
        subject = render.one_line(post.text.split("\n", 1)[0].replace("*", ""))
        mail = render.note_mail(post, subject, self.envelope(post, self._id_of(post)))
        if post.image is not None:
            mail.add_attachment(post.image.data, maintype="image", subtype="png",
                                filename=post.image.name)  # fmt: skip
        return mail

    def _note(self, post: Post) -> EmailMessage:
        return render.note_mail(post, "paperbot", self.envelope(post, self._id_of(post)))

    def _id_of(self, post: Post) -> str:
        if post.marker:
            return f"<paperbot.{_hash(post.marker + post.conversation.channel)}@{self._domain}>"
        return make_msgid("paperbot", self._domain)

    async def _deliver(self, conversation: Conversation, mail: EmailMessage) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                mail, hostname=s.host, port=s.port, username=s.user or None,
                password=s.password or None, use_tls=s.security == "tls",
                start_tls=s.security == "starttls", timeout=s.timeout,
                cert_bundle=s.ca_file or None,
            )  # fmt: skip
        except ssl.SSLCertVerificationError as untrusted:
            raise SmtpCertificateError(
                f"the SMTP server's certificate is not trusted ({untrusted.verify_message}); "
                "for a private CA set SMTP_CA_FILE"
            ) from None
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [error.code for error in refused.recipients]
            if codes and all(500 <= code < 600 for code in codes):
                raise ChannelUnavailable(conversation, f"address refused ({codes[0]})") from None
            raise
        log.info("mail sent", message_id=str(mail["Message-ID"]))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]
