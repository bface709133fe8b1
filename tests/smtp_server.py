"""A real SMTP server for the mail tests (aiosmtpd), on a free loopback port, in a thread of the test process.

It keeps every message it accepts, parsed, with its envelope (sender and recipients). It can misbehave the way
real servers do:
- ``refuse_next = N``: the next N messages get "451 try again later" (a busy server);
- ``refuse_every = N``: every Nth message gets that answer (10 gives 10 % temporary refusals);
- ``unknown = {...}``: those addresses are refused for good at RCPT TO (550);
- ``hold_at = N``: the Nth message waits, unanswered, until the test calls ``release()`` (the test kills the
  sending worker meanwhile); it is then refused, as a server drops a message whose client went away.

The ``smtp_server`` fixture points Django's SMTP backend at it; Celery workers started by a test read its port
from CSO_TEST_SMTP_PORT (tests/smtp_worker_settings.py).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self, *, refuse_every: int = 0, hold_at: int = 0, unknown=()):
        self.host = HOST
        self.port = 0
        self.refuse_every = refuse_every
        self.refuse_next = 0
        self.hold_at = hold_at
        self.unknown = set(unknown)
        self.refused = 0
        self.data_count = 0
        # (envelope sender, envelope recipients, message) for each accepted message, in arrival order.
        self.accepted: list[tuple[str, list[str], EmailMessage]] = []
        self.holding = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    # --- aiosmtpd's handler ------------------------------------------------------------------------------
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_count += 1
            number = self.data_count
            refuse = (self.refuse_next > 0) or (self.refuse_every and number % self.refuse_every == 0)
            if self.refuse_next > 0:
                self.refuse_next -= 1
        if self.hold_at and number == self.hold_at:
            self.holding.set()
            deadline = time.monotonic() + 120
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            return "451 4.3.0 The client went away"
        if refuse:
            with self.lock:
                self.refused += 1
            return "451 4.7.1 Try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    # --- what the tests read -----------------------------------------------------------------------------
    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _sender, _rcpt, message in self.accepted]

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        with self.lock:
            return [(sender, rcpt) for sender, rcpt, _message in self.accepted]

    def recipients(self) -> list[str]:
        with self.lock:
            return [address for _sender, rcpt, _message in self.accepted for address in rcpt]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once ``count`` have arrived; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"{len(self.messages)} of {count} messages arrived within {timeout} s")

    def release(self) -> None:
        self.released.set()

    # --- running -----------------------------------------------------------------------------------------
    def __enter__(self) -> MailServer:
        for _attempt in range(5):
            self.port = _free_port()
            controller = Controller(self, hostname=self.host, port=self.port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue  # another process took the port between the probe and the start
            self._controller = controller
            return self
        raise RuntimeError("could not start the test SMTP server")

    def __exit__(self, *exc) -> None:
        self.release()
        if self._controller is not None:
            self._controller.stop()


@pytest.fixture
def smtp_server(settings):
    """A running server; Django's e-mail goes to it over SMTP. Set ``refuse_next``, ``refuse_every``,
    ``unknown`` or ``hold_at`` on it before sending to make it refuse or hold."""
    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 30
        yield server
