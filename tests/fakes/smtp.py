"""A real SMTP server (aiosmtpd) on 127.0.0.1, port 0, in the test's own event loop: plain,
STARTTLS or implicit TLS with a certificate of a test CA, and AUTH when asked for."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Mailbox:
    """What the server accepted; `refuse` makes RCPT fail for an address with that reply."""

    mails: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    received: asyncio.Event = field(default_factory=asyncio.Event)
    encrypted: list[bool] = field(default_factory=list)  # per mail: did it come over TLS?
    logins: list[str] = field(default_factory=list)  # per mail: who authenticated

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept the recipient unless it is refused."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the mail, parsed with the modern policy."""
        raw = envelope.original_content or b""
        self.mails.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        login = getattr(session.auth_data, "login", b"") or b""
        self.logins.append(login.decode())
        self.received.set()
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, timeout: float) -> None:
        """Wait until the server has accepted `count` mails (TimeoutError after `timeout` s)."""
        async with asyncio.timeout(timeout):
            while len(self.mails) < count:
                self.received.clear()
                await self.received.wait()


@dataclass(frozen=True)
class Certificate:
    """A test CA and a server certificate it signed for 127.0.0.1 (PEM files)."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """The server side's TLS context."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificate(folder: Path) -> Certificate:
    """A CA and a 127.0.0.1 server certificate, made with the openssl command."""
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, request = folder / "server.pem", folder / "server.key", folder / "server.csr"
    extensions = folder / "san.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    for command in (
        f"req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=paperbot-test-ca "
        f"-keyout {ca_key} -out {ca}",
        f"req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout {key} -out {request}",
        f"x509 -req -in {request} -CA {ca} -CAkey {ca_key} -CAcreateserial -days 2 "
        f"-extfile {extensions} -out {cert}",
    ):
        subprocess.run(["openssl", *command.split()], check=True, capture_output=True)
    return Certificate(ca, cert, key)


def password_check(logins: dict[str, str]) -> object:
    """An aiosmtpd authenticator accepting these user names and passwords."""

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     data: object) -> AuthResult:  # fmt: skip
        good = isinstance(data, LoginPassword) and logins.get(data.login.decode()) == (
            data.password.decode()
        )
        return AuthResult(success=good, handled=False, auth_data=data)

    return authenticate


@asynccontextmanager
async def smtp_server(
    certificate: Certificate | None = None,
    *,
    implicit_tls: bool = False,
    logins: dict[str, str] | None = None,
) -> AsyncIterator[tuple[Mailbox, int]]:
    """A mailbox and the port its SMTP server listens on, until the block ends.

    With a certificate the server offers STARTTLS and requires it (or, `implicit_tls`, speaks
    TLS from the start); with `logins` it requires AUTH, over TLS only.
    """
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    context = certificate.server_context() if certificate else None
    starttls = context if context and not implicit_tls else None
    auth = {"authenticator": password_check(logins), "auth_required": True,
            "auth_require_tls": not implicit_tls} if logins else {}  # implicit: all of it is TLS

    def protocol() -> SMTP:
        return SMTP(mailbox, hostname="smtp.test", decode_data=False, tls_context=starttls,
                    require_starttls=starttls is not None, **auth)  # type: ignore[arg-type]  # fmt: skip

    server = await loop.create_server(
        protocol, "127.0.0.1", 0, ssl=context if implicit_tls else None
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield mailbox, port
    finally:
        server.close()
        await server.wait_closed()
