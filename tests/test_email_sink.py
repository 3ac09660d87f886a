"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, and helpers.

Not a test module itself: the mail tests import `Sink` and `parse`.
"""

from __future__ import annotations

import threading
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .helpers import free_port


class Sink:
    """Accepts mail and keeps it; `script` lists answers for the next messages.

    An answer is an SMTP reply like "451 4.3.0 Try later" or "drop" (close the
    connection without answering). When the script is empty every message gets 250.
    """

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.script: deque[str] = deque()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            answer = self.script.popleft() if self.script else "250 OK"
        if answer == "drop":
            server.transport.close()
            return "421 closing"
        if answer.startswith("250"):
            with self.lock:
                self.messages.append(envelope.content)
                self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return answer

    def start(self) -> Sink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def settings(self) -> dict[str, object]:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_TLS": "none"}

    def parsed(self) -> list[EmailMessage]:
        return [parse(m) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.parsed() if m["To"] == address]


def parse(data: bytes) -> EmailMessage:
    """Parse a message as a mail client would."""
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    """The plain-text part."""
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML part."""
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content()
