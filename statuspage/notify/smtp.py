"""SMTP connections from the app's mail settings (SMTP_HOST, SMTP_PORT, SMTP_TLS...)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

TIMEOUT = 30.0


class MailConfigError(ValueError):
    """The SMTP settings cannot work (unknown TLS mode...)."""


def connect(settings: Mapping[str, Any]) -> smtplib.SMTP:
    """Open, secure and log in an SMTP connection as the settings say."""
    host = settings.get("SMTP_HOST") or "localhost"
    port = int(settings.get("SMTP_PORT") or 25)
    mode = (settings.get("SMTP_TLS") or "none").lower()
    if mode not in ("none", "starttls", "ssl"):
        raise MailConfigError(f"SMTP_TLS must be none, starttls or ssl, not {mode!r}")
    conn: smtplib.SMTP
    if mode == "ssl":
        conn = smtplib.SMTP_SSL(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
        if mode == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if settings.get("SMTP_USERNAME"):
        conn.login(settings["SMTP_USERNAME"], settings.get("SMTP_PASSWORD") or "")
    return conn


def sender(settings: Mapping[str, Any]) -> str:
    """The From header: the page's name and MAIL_FROM."""
    return formataddr(
        (settings.get("PAGE_NAME") or "Status", settings.get("MAIL_FROM") or "")
    )


def as_bytes(message: EmailMessage) -> bytes:
    """The message with CRLF line endings, as SMTP requires."""
    return message.as_bytes(policy=policy.SMTP)


def send(
    settings: Mapping[str, Any],
    message: EmailMessage,
    conn: smtplib.SMTP | None = None,
) -> None:
    """Send one message, on `conn` if given, else on a new connection."""
    recipients = [a for a in message.get_all("To", [])]
    if conn is not None:
        conn.sendmail(
            message["From"] or sender(settings), recipients, as_bytes(message)
        )
        return
    with connect(settings) as fresh:
        fresh.sendmail(
            message["From"] or sender(settings), recipients, as_bytes(message)
        )
