"""A real SMTP server for the tests: aiosmtpd's Controller on 127.0.0.1, on a free port,
keeping every message it is sent (``smtp_server``, and ``mail_settings`` for an
application that sends through it)."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the server was sent: one parsed message per delivery (per recipient)."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Every message sent to ``address``, oldest first."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int, seconds: float = 15.0) -> list[EmailMessage]:
        """The messages to ``address`` once there are at least ``count`` of them: the
        server hands a message to its SMTP thread, which on a busy machine can take a
        moment after the page that says it was sent."""
        deadline = time.monotonic() + seconds
        while True:
            found = self.to(address)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def body(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(("plain",))
    assert part is not None
    text: str = part.get_content()  # type: ignore[attr-defined]
    return text


def link_in(message: EmailMessage) -> str:
    """The one link in a message's body."""
    (link,) = LINK.findall(body(message))
    return link


@dataclass(frozen=True)
class SmtpServer:
    """A running server: where it listens, what it has received."""

    host: str
    port: int
    mailbox: Mailbox


def run_server(**smtp_options: Any) -> Iterator[SmtpServer]:
    """Start a server (``smtp_options`` go to aiosmtpd's SMTP: TLS and the like)."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, mailbox)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def _session_smtp() -> Iterator[SmtpServer]:
    yield from run_server()


@pytest.fixture
def smtp_server(_session_smtp: SmtpServer) -> SmtpServer:
    """The tests' SMTP server, its mailbox emptied for this test."""
    _session_smtp.mailbox.clear()
    return _session_smtp


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""

    cert: Path
    key: Path


def self_signed(folder: Path) -> Certificate:
    """Make a self-signed certificate with the ``openssl`` command (skip without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a certificate for the TLS tests")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - a fixed command
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


def server_context(certificate: Certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    return context
