"""Incident roles (commander, comms lead...): who is reminded when an update is due."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from .models import ROLES, IncidentRole, User

LABELS = {
    "commander": "Incident commander",
    "technical_lead": "Technical lead",
    "comms_lead": "Comms lead",
    "scribe": "Scribe",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate(roles: Any) -> tuple[dict[str, str], str | None]:
    """Check {role: email} (empty email: unassigned); return it cleaned or an error."""
    if roles is None:
        return {}, None
    if not isinstance(roles, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in roles.items()
    ):
        return {}, "roles must be an object of {role: email}."
    out: dict[str, str] = {}
    for role, email in roles.items():
        if role not in ROLES:
            return {}, f"Unknown role {role!r}: use {', '.join(ROLES)}."
        email = (email or "").strip().lower()
        if email and not _EMAIL.match(email):
            return {}, f"{LABELS[role]}: {email!r} is not an email address."
        out[role] = email
    return out, None


def assign(
    session: Session, incident_id: int, roles: Mapping[str, str], now: datetime
) -> None:
    """Set each given role to the person with that email (empty: unassign)."""
    for role, email in roles.items():
        row = session.get(IncidentRole, (incident_id, role))
        if not email:
            if row is not None:
                session.delete(row)
            continue
        if row is not None and row.email == email:
            continue
        user = session.exec(select(User).where(func.lower(User.email) == email)).first()
        if row is None:
            row = IncidentRole(incident_id=incident_id, role=role)
        row.email = email
        row.user_id = user.id if user else None
        row.name = (user.name if user else "") or ""
        row.assigned_at = now
        session.add(row)
    session.flush()


def roles_of(session: Session, incident_id: int) -> dict[str, IncidentRole]:
    """The incident's assigned roles by role name."""
    rows = session.exec(
        select(IncidentRole).where(IncidentRole.incident_id == incident_id)
    ).all()
    return {r.role: r for r in rows}


def person(row: IncidentRole | None) -> dict[str, str] | None:
    """A role holder as JSON: {"name", "email"}, or None when unassigned."""
    if row is None:
        return None
    return {"name": row.name, "email": row.email}
