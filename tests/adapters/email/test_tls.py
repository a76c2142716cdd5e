"""The e-mail adapter over real TLS: STARTTLS and implicit TLS against aiosmtpd with a test CA's
certificate, AUTH only over TLS, a certificate the bot does not trust refused."""

from __future__ import annotations

from pathlib import Path

import aiosmtplib
import pytest

from adapters.email.sender import EmailSender, SmtpCertificateError
from adapters.email.settings import EmailSettings
from bot.adapter import AdapterSettingsError
from bot.messages import Conversation
from bot.posts import Reply
from tests.fakes.smtp import Certificate, make_certificate, smtp_server

ADDRESS = "lab-list@uni.example.org"
PUBLIC = "https://bot.example.org"
LOGINS = {"paperbot": "correct horse battery"}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def settings(port: int, security: str, ca_file: Path | str = "", **extra: str) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=port, security=security, ca_file=str(ca_file),
                         SMTP_FROM="paperbot <bot@lab.example.org>",
                         link_secret="s3cret-s3cret-s3cret", timeout=10, **extra)  # type: ignore[arg-type]  # fmt: skip


def note() -> Reply:
    return Reply(Conversation("email", ADDRESS, ""), "Your topics are saved.")


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_mail_goes_over_tls_with_the_ca_and_logs_in(
    certificate: Certificate, security: str
) -> None:
    implicit = security == "tls"
    async with smtp_server(certificate, implicit_tls=implicit, logins=LOGINS) as (mailbox, port):
        mail_settings = settings(port, security, certificate.ca, user="paperbot",
                                 password=LOGINS["paperbot"])  # fmt: skip
        mail_settings.check(PUBLIC)
        message_id = await EmailSender(mail_settings, PUBLIC, ask_links=False).send(note())
    [mail] = mailbox.mails
    assert mail["Message-ID"] == message_id and mailbox.recipients == [[ADDRESS]]
    assert mailbox.encrypted == [True] and mailbox.logins == ["paperbot"]


async def test_a_certificate_the_bot_does_not_trust_sends_nothing(certificate: Certificate) -> None:
    async with smtp_server(certificate, logins=LOGINS) as (mailbox, port):
        untrusted = settings(port, "starttls", user="paperbot", password=LOGINS["paperbot"])
        sender = EmailSender(untrusted, PUBLIC, ask_links=False)
        with pytest.raises(SmtpCertificateError, match=r"not trusted .*SMTP_CA_FILE"):
            await sender.send(note())
    assert mailbox.mails == [] and mailbox.logins == []


async def test_a_wrong_password_is_refused_and_nothing_is_sent(certificate: Certificate) -> None:
    async with smtp_server(certificate, logins=LOGINS) as (mailbox, port):
        sender = EmailSender(settings(port, "starttls", certificate.ca, user="paperbot",
                                      password="wrong"), PUBLIC, ask_links=False)  # fmt: skip
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            await sender.send(note())
    assert mailbox.mails == []


async def test_a_server_that_requires_starttls_refuses_a_plain_mail(
    certificate: Certificate,
) -> None:
    async with smtp_server(certificate) as (mailbox, port):
        sender = EmailSender(settings(port, "none"), PUBLIC, ask_links=False)
        with pytest.raises(aiosmtplib.SMTPException):
            await sender.send(note())
    assert mailbox.mails == []


def test_settings_refuse_a_missing_ca_file_and_a_password_in_clear(tmp_path: Path) -> None:
    with pytest.raises(AdapterSettingsError, match="SMTP_CA_FILE"):
        settings(587, "starttls", tmp_path / "absent.pem").check(PUBLIC)
    clear = settings(25, "none", password="hunter2-hunter2")
    clear.host = "smtp.uni.example.org"
    with pytest.raises(AdapterSettingsError, match="in clear") as refused:
        clear.check(PUBLIC)
    assert "hunter2" not in str(refused.value)
    settings(25, "none", password="hunter2-hunter2").check(PUBLIC)  # loopback: a local relay
