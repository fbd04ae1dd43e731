"""Outbound email over SMTP, with the standard library's :mod:`smtplib` and :mod:`email`.

A :class:`Mailer` is built from the settings once, at start-up. When no SMTP server or no
sender is set it is *not configured*: :meth:`Mailer.send` sends nothing and returns
False, and the pages that would send email say so. Sending never raises: whatever goes
wrong (server down, refused, a certificate that does not verify) is logged by its kind
only - never an address, a subject or a body - and the caller's action, saved before,
stands.

The callers send after their transaction has committed (the web layer hands
:meth:`Mailer.send` to the response's background tasks), so a slow or absent server never
delays or undoes what the person did, and the time an answer takes does not depend on
whether an email went out.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal

from crampcheck.settings import Settings

log = logging.getLogger("crampcheck.mail")


@dataclass(frozen=True)
class Email:
    """One plain-text email to one address."""

    to: str
    subject: str
    body: str
    language: str = "en"
    """The language it is written in (its ``Content-Language``)."""


@dataclass(frozen=True)
class Mailer:
    """Sends :class:`Email` through the configured SMTP server."""

    host: str
    port: int
    tls: Literal["none", "starttls", "tls"]
    username: str
    password: str
    sender: str
    ca_file: Path | None
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """The mailer the settings describe (not configured when they name no server)."""
        return cls(
            host=settings.mail_host,
            port=settings.mail_port,
            tls=settings.mail_tls,
            username=settings.mail_username,
            password=settings.mail_password.get_secret_value(),
            sender=settings.mail_sender,
            ca_file=settings.mail_ca_file,
            timeout=settings.mail_timeout,
        )

    @property
    def configured(self) -> bool:
        """Whether email can be sent at all."""
        return bool(self.host and self.sender)

    def message(self, email: Email) -> EmailMessage:
        """The MIME message for an email."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(email.body)
        # After the content: setting it clears every Content-* header.
        message["Content-Language"] = email.language
        return message

    def send(self, email: Email) -> bool:
        """Send one email; True when the server accepted it. Never raises."""
        if not self.configured:
            return False
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(self.message(email))
        except (OSError, smtplib.SMTPException, ssl.SSLError, ValueError) as error:
            # The kind of failure only: an address or a subject is personal data.
            log.warning("email not sent: %s", type(error).__name__)
            return False
        return True

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.tls == "starttls":
                smtp.starttls(context=self._context())
        except BaseException:
            smtp.close()
            raise
        return smtp
