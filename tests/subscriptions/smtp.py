"""A real SMTP server for the tests (aiosmtpd), on a free port, in a thread of the test process.

It keeps every message it accepts (parsed, with its envelope recipients). It can refuse: ``refuse_every=10``
answers "451 try again later" to every tenth DATA (10% temporary refusals), and ``hold_at=3`` makes the third
DATA wait, unanswered, until the test calls ``release()`` (the test kills the sending worker meanwhile); a held
message is then refused, as a server drops a message whose client went away. Addresses in ``unknown`` are
refused for good (550).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    def __init__(self, *, refuse_every: int = 0, hold_at: int = 0, unknown: frozenset[str] = frozenset()):
        self.refuse_every = refuse_every
        self.unknown = unknown
        self.hold_at = hold_at
        self.accepted: list[tuple[list[str], EmailMessage]] = []
        self.data_count = 0
        self.refused = 0
        self.holding = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_count += 1
            number = self.data_count
        if self.hold_at and number == self.hold_at:
            self.holding.set()
            deadline = time.monotonic() + 120
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            return "451 4.3.0 The client went away"
        if self.refuse_every and number % self.refuse_every == 0:
            with self.lock:
                self.refused += 1
            return "451 4.7.1 Try again later"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.lock:
            self.accepted.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self.released.set()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _rcpt, message in self.accepted]

    def recipients(self) -> list[str]:
        with self.lock:
            return [address for rcpt, _message in self.accepted for address in rcpt]


class SMTPServer:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.port = free_port()
        self.controller = Controller(recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.recorder.release()
        self.controller.stop()


@pytest.fixture
def smtp_server(settings):
    """A running server; Django's e-mail goes to it over SMTP. Set ``smtp_server.recorder.refuse_every`` or
    ``hold_at`` before sending to make it refuse or hold."""
    with SMTPServer(Recorder()) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 30
        yield server
