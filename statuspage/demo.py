"""`statuspage demo`: a database with an admin, components and one open incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from . import incidents
from .accounts import add_user, find_user, new_password
from .components import sync_components
from .db import session_scope, upgrade
from .models import Incident, utcnow
from .render import build
from .rules.elements import Draft

DEMO_ADMIN = "admin@example.com"

DEMO_COMPONENTS = [
    {"name": "Website", "group": "Customer-facing", "description": "www and sign-in"},
    {
        "name": "Checkout",
        "group": "Customer-facing",
        "description": "Cart and payments",
    },
    {"name": "Dashboard", "group": "Customer-facing", "description": "The web app"},
    {"name": "API", "group": "Developers", "description": "REST API v1 and v2"},
    {"name": "Webhooks", "group": "Developers", "description": "Event delivery"},
    {"name": "Email notifications", "description": "Receipts and alerts"},
]


def setup_demo(settings: Mapping[str, Any]) -> list[str]:
    """Create (or reuse) the demo data and build the site; return lines to print."""
    url = settings["DATABASE_URL"]
    lines = []
    upgrade(url)
    lines.append(f"Database ready: {url}")
    with session_scope(url) as session:
        if find_user(session, DEMO_ADMIN) is None:
            password = new_password()
            add_user(session, DEMO_ADMIN, password, "Demo admin")
            lines.append(
                f"Log in as {DEMO_ADMIN} with password (shown once): {password}"
            )
        else:
            lines.append(
                f"Log in as {DEMO_ADMIN} (password shown at first run; "
                f"`statuspage user password {DEMO_ADMIN}` sets a new one)."
            )
        sync_components(session, settings.get("COMPONENTS") or DEMO_COMPONENTS)
        if _has_open_incident(session):
            lines.append("Demo incident already open.")
        else:
            incident = _open_demo_incident(session, settings)
            lines.append(f"Opened demo incident #{incident.id}: {incident.title}")
    with session_scope(url) as session:
        result = build(session, settings, now=utcnow())
    lines.append(f"Public site built: {result.files} files in {result.out_dir}")
    return lines


def _has_open_incident(session: Session) -> bool:
    return (
        session.exec(
            select(Incident).where(
                Incident.status.in_(("investigating", "identified", "monitoring"))  # type: ignore[attr-defined]
            )
        ).first()
        is not None
    )


def _open_demo_incident(session: Session, settings: Mapping[str, Any]) -> Incident:
    now = utcnow()
    admin = find_user(session, DEMO_ADMIN)
    incident, _ = incidents.declare(
        session,
        title="Checkout failing for some card payments",
        severity="SEV-2",
        draft=Draft(
            status="investigating",
            current_impact="Some customers cannot complete checkout with a card.",
            current_action="We are failing over payment traffic to a backup path.",
            user_action=(
                "Retry in 2-3 minutes; do not resubmit duplicate payment attempts."
            ),
            next_update_at=now + timedelta(minutes=30),
        ),
        components={"Checkout": "partial_outage"},
        author=admin,
        now=now,
        policy=incidents.Policy.from_settings(settings),
    )
    return incident
