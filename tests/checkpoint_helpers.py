"""Real parts for the checkpoint tests: an SMTP server, a webhook server, incidents."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from statuspage.models import Incident, IncidentRole, Update

from .helpers import free_port  # noqa: F401  (re-exported for the tests)


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real aiosmtpd server on 127.0.0.1; yields (inbox, port)."""
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Hook:
    """A Slack-compatible incoming webhook on loopback: records each post."""

    url: str = ""
    posts: list[dict] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # status codes to give first
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with hook.lock:
                hook.posts.append(json.loads(body))
                status = hook.answers.pop(0) if hook.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/x"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


def make_incident(
    session: Session,
    title: str,
    declared: datetime,
    updates: list[tuple[str, float, float | None]],
    roles: dict[str, tuple[str, str]] | None = None,
    severity: str = "SEV-2",
) -> Incident:
    """An incident with updates (status, minutes after declaration, promise minutes)."""
    status = updates[-1][0] if updates else "investigating"
    incident = Incident(
        title=title,
        severity=severity,
        status=status,
        declared_at=declared,
        updated_at=declared,
        resolved_at=declared if status == "resolved" else None,
    )
    session.add(incident)
    session.flush()
    assert incident.id is not None
    for state, minute, promise in updates:
        session.add(
            Update(
                incident_id=incident.id,
                status=state,
                current_impact="Some users cannot check out.",
                user_action="Retry in a few minutes.",
                published_at=declared + timedelta(minutes=minute),
                next_update_at=None
                if promise is None
                else declared + timedelta(minutes=promise),
            )
        )
    for role, (name, email) in (roles or {}).items():
        session.add(
            IncidentRole(incident_id=incident.id, role=role, name=name, email=email)
        )
    session.commit()
    session.refresh(incident)
    return incident
