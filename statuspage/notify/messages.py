"""Email messages from the theme's `email/*` templates, assembled for fan-out.

Python's `email` package costs about 1.5 ms a message, so an update is rendered
(and its CSS inlined) once; each recipient then only gets their own headers and
links substituted into the rendered text, and the MIME is assembled by hand.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from functools import lru_cache
from typing import Any

import css_inline
from jinja2 import Environment
from sqlmodel import Session, select

from ..models import (
    Component,
    Delivery,
    Incident,
    Maintenance,
    MaintenanceComponent,
    Subscriber,
    Update,
    UpdateComponent,
)
from ..render import contexts
from ..render.theme import make_environment, theme_for

# Placeholders rendered into the shared body and replaced per recipient. Letters
# only, so neither HTML escaping nor CSS inlining can alter them.
PREFS = "XSPPREFSURLX"
UNSUB = "XSPUNSUBURLX"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def clean(value: str) -> str:
    """One line of text: CR, LF and other control characters become one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def header(value: str) -> str:
    """A header value that cannot inject headers; RFC 2047 encoded when needed."""
    text = clean(value)
    if text.isascii() and len(text) < 900:
        return text
    return Header(text, "utf-8", maxlinelen=76).encode(linesep="\r\n")


def address(name: str, email: str) -> str:
    """A `Name <addr>` header value, the name cleaned and encoded."""
    return formataddr((clean(name), clean(email)), charset="utf-8")


@lru_cache(maxsize=8)
def _environment(theme_setting: str) -> Environment:
    return make_environment(theme_for({"THEME": theme_setting}))


def environment(settings: Mapping[str, Any]) -> Environment:
    """The theme's Jinja environment (cached per theme)."""
    return _environment(str(settings.get("THEME") or "default"))


def app_url(settings: Mapping[str, Any]) -> str:
    """Base URL of the app for links in emails."""
    url = settings.get("APP_URL") or settings.get("PUBLIC_URL") or ""
    return str(url or "http://localhost:5000").rstrip("/")


def site_url(settings: Mapping[str, Any]) -> str:
    """Base URL of the public site."""
    return str(settings.get("PUBLIC_URL") or app_url(settings)).rstrip("/")


def mail_domain(settings: Mapping[str, Any]) -> str:
    """The domain of MAIL_FROM, for Message-ID and List-Id."""
    sender = str(settings.get("MAIL_FROM") or "status@localhost")
    return sender.rsplit("@", 1)[-1].strip("<> ") or "localhost"


def prefs_url(settings: Mapping[str, Any], token: str) -> str:
    """The preferences page of the subscriber holding `token`."""
    return f"{app_url(settings)}/subscription/{token}"


def unsubscribe_url(settings: Mapping[str, Any], token: str) -> str:
    """The one-click unsubscribe URL (List-Unsubscribe) for `token`."""
    return f"{app_url(settings)}/unsubscribe/{token}"


def inline_css(html: str) -> str:
    """Styles inlined for mail clients; `<style>` (and its @media rules) kept."""
    return _inliner.inline(html)


def _site(settings: Mapping[str, Any]) -> dict[str, str]:
    return {
        "page_name": str(settings.get("PAGE_NAME") or "Status"),
        "public_url": site_url(settings),
    }


def _b64(text: str) -> str:
    return (
        base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    )


def assemble(headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """multipart/alternative bytes with CRLF line endings, ready for SMTP."""
    boundary = f"=_sp_{secrets.token_hex(12)}"
    lines = [f"{name}: {value}" for name, value in headers]
    lines += [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _b64(text) + f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _b64(html) + f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


@dataclass(frozen=True)
class RenderedUpdate:
    """An update's email, rendered once, with placeholders for per-recipient links."""

    update_id: int
    incident_id: int
    uid: str  # the update's uuid: the stable part of every Message-ID about it
    subject: str  # already a safe header value
    text: str
    html: str


def subject_for(
    settings: Mapping[str, Any], title: str, status: str, severity: str, nxt: str | None
) -> str:
    """`[Identified] Checkout unavailable - next update 16:45 UTC`."""
    prefix = str(settings.get("MAIL_SUBJECT_PREFIX") or "").format(
        status=contexts.status_label(status), severity=severity
    )
    subject = f"{prefix} {clean(title)}".strip()
    if nxt:
        subject += f" - next update {nxt}"
    return subject


def render_update_parts(
    settings: Mapping[str, Any],
    update: contexts.UpdateContext,
    *,
    incident_id: int,
    incident_title: str,
    severity: str,
) -> tuple[str, str, str]:
    """(subject, text, HTML) of an update's email, links as placeholders."""
    subject = subject_for(
        settings, incident_title, update.status, severity, update.next_update_label
    )
    env = environment(settings)
    context = {
        "site": _site(settings),
        "incident": {
            "id": incident_id,
            "title": incident_title,
            "severity": severity,
            "url": f"{site_url(settings)}/incidents/{incident_id}.html",
        },
        "update": update,
        "subject": subject,
        "prefs_url": PREFS,
        "unsubscribe_url": UNSUB,
    }
    text = env.get_template("email/update.txt").render(context)
    html = inline_css(env.get_template("email/update.html").render(context))
    return subject, text, html


def render_update(
    session: Session, settings: Mapping[str, Any], update_id: int
) -> RenderedUpdate:
    """Render a published update's email once, for every recipient."""
    update = session.get(Update, update_id)
    assert update is not None
    incident = session.get(Incident, update.incident_id)
    assert incident is not None and incident.id is not None
    changes = session.exec(
        select(Component.name, UpdateComponent.old_status, UpdateComponent.new_status)
        .join(Component, Component.id == UpdateComponent.component_id)  # type: ignore[arg-type]
        .where(UpdateComponent.update_id == update_id)
        .order_by(Component.name)
    ).all()
    context = contexts.update_context(
        incident_title=incident.title,
        severity=incident.severity,
        status=update.status,
        current_impact=update.current_impact,
        current_action=update.current_action,
        user_action=update.user_action,
        next_update_at=update.next_update_at,
        body=update.body,
        published_at=update.published_at,
        changes=[tuple(c) for c in changes],  # type: ignore[misc]
    )
    subject, text, html = render_update_parts(
        settings,
        context,
        incident_id=incident.id,
        incident_title=incident.title,
        severity=incident.severity,
    )
    return RenderedUpdate(
        update_id=update_id,
        incident_id=incident.id,
        uid=update.guid.rsplit(":", 1)[-1],
        subject=header(subject),
        text=text,
        html=html,
    )


def message_id(settings: Mapping[str, Any], uid: str, subscriber_id: int) -> str:
    """The stable Message-ID of one update's email to one subscriber."""
    return f"<{uid}.{subscriber_id}@{mail_domain(settings)}>"


def _common_headers(
    settings: Mapping[str, Any], to: str, token: str, date: datetime
) -> list[tuple[str, str]]:
    page = str(settings.get("PAGE_NAME") or "Status")
    sender = str(settings.get("MAIL_FROM") or "status@localhost")
    domain = mail_domain(settings)
    return [
        ("From", address(page, sender)),
        ("To", clean(to)),
        ("Date", format_datetime(date)),
        ("List-Id", address(page, f"updates.{domain}")),
        (
            "List-Unsubscribe",
            f"<{unsubscribe_url(settings, token)}>, "
            f"<mailto:{clean(sender)}?subject=unsubscribe%20{token}>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    ]


def personalise(settings: Mapping[str, Any], text: str, token: str) -> str:
    """Put one subscriber's links where the placeholders are."""
    return text.replace(PREFS, prefs_url(settings, token)).replace(
        UNSUB, unsubscribe_url(settings, token)
    )


def update_message(
    settings: Mapping[str, Any],
    rendered: RenderedUpdate,
    *,
    subscriber_id: int,
    email: str,
    token: str,
    thread_root: str | None,
    date: datetime,
) -> tuple[str, bytes]:
    """(Message-ID, bytes) of one update's email to one subscriber."""
    mid = message_id(settings, rendered.uid, subscriber_id)
    headers = _common_headers(settings, email, token, date)
    headers += [("Subject", rendered.subject), ("Message-ID", mid)]
    if thread_root and thread_root != mid:
        headers += [("In-Reply-To", thread_root), ("References", thread_root)]
    return mid, assemble(
        headers,
        personalise(settings, rendered.text, token),
        personalise(settings, rendered.html, token),
    )


def simple_message(
    settings: Mapping[str, Any],
    template: str,
    subscriber: Subscriber,
    *,
    subject: str,
    date: datetime,
    key: str,
    **context: Any,
) -> tuple[str, bytes]:
    """(Message-ID, bytes) of a one-off email (confirmation, digest...)."""
    env = environment(settings)
    full = {
        "site": _site(settings),
        "prefs_url": prefs_url(settings, subscriber.token),
        "unsubscribe_url": unsubscribe_url(settings, subscriber.token),
        "subject": subject,
        **context,
    }
    text = env.get_template(f"email/{template}.txt").render(full)
    html = inline_css(env.get_template(f"email/{template}.html").render(full))
    safe_key = re.sub(r"[^A-Za-z0-9.-]", ".", key)
    mid = f"<{safe_key}@{mail_domain(settings)}>"
    headers = _common_headers(settings, subscriber.email, subscriber.token, date)
    headers += [("Subject", header(subject)), ("Message-ID", mid)]
    return mid, assemble(headers, text, html)


MAINTENANCE_LABELS = {
    "scheduled": "Scheduled maintenance",
    "in_progress": "Maintenance in progress",
    "verifying": "Maintenance: verifying",
    "completed": "Maintenance completed",
}


def maintenance_message(
    session: Session,
    settings: Mapping[str, Any],
    delivery: Delivery,
    subscriber: Subscriber,
    date: datetime,
) -> tuple[str, bytes]:
    """(Message-ID, bytes) of a maintenance notice, in the status it was queued in."""
    maintenance = session.get(Maintenance, delivery.maintenance_id)
    assert maintenance is not None
    status = delivery.dedupe_key.split(":")[2]
    names = session.exec(
        select(Component.name)
        .join(
            MaintenanceComponent,
            MaintenanceComponent.component_id == Component.id,  # type: ignore[arg-type]
        )
        .where(MaintenanceComponent.maintenance_id == maintenance.id)
        .order_by(Component.name)
    ).all()
    label = MAINTENANCE_LABELS.get(status, "Maintenance")
    when = contexts.format_utc(maintenance.scheduled_for)
    return simple_message(
        settings,
        "maintenance",
        subscriber,
        subject=f"[{label}] {clean(maintenance.title)} - {when}",
        date=date,
        key=delivery.dedupe_key,
        maintenance=maintenance,
        status_label=label,
        components=list(names),
    )
