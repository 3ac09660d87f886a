"""Declaring incidents and publishing updates: the one write path for form and API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from .models import (
    Component,
    ComponentStatus,
    Incident,
    IncidentComponent,
    Update,
    UpdateComponent,
    User,
)
from .roles import assign as assign_roles
from .roles import validate as validate_roles
from .rules.elements import FINAL_STATUSES, Draft
from .rules.review import Review, review

COMPONENT_STATUSES = tuple(s.value for s in ComponentStatus)


class Rejected(Exception):
    """The update was not published; the review says why."""

    def __init__(self, result: Review) -> None:
        super().__init__("update rejected")
        self.review = result


@dataclass
class Policy:
    """What the rules need from the settings."""

    max_intervals: Mapping[str, int]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Policy:
        """Read the severity policy from the app's settings."""
        return cls(max_intervals=settings["MAX_UPDATE_INTERVAL"])


def resolve_components(
    session: Session, wanted: Mapping[str, str] | None
) -> tuple[dict[int, str], str | None]:
    """Map {component name: status} to {component id: status}, or an error message."""
    if not wanted:
        return {}, None
    if not isinstance(wanted, Mapping):
        return {}, "Components must be an object of {component name: status}."
    by_name = {c.name: c for c in session.exec(select(Component)).all()}
    out: dict[int, str] = {}
    for name, status in wanted.items():
        component = by_name.get(name)
        if component is None:
            known = ", ".join(sorted(by_name)) or "none yet"
            return {}, f"Unknown component {name!r}. Known components: {known}."
        if status not in COMPONENT_STATUSES:
            return {}, (
                f"{name}: status {status!r} is not one of "
                f"{', '.join(COMPONENT_STATUSES)}."
            )
        assert component.id is not None
        out[component.id] = status
    return out, None


def declare(
    session: Session,
    *,
    title: str,
    severity: str,
    draft: Draft,
    components: Mapping[str, str] | None,
    author: User | None,
    now: datetime,
    policy: Policy,
    roles: Mapping[str, str] | None = None,
) -> tuple[Incident, Update]:
    """Declare an incident with its first public update, or raise Rejected."""
    result = review(
        draft,
        title=title,
        severity=severity,
        now=now,
        max_intervals=policy.max_intervals,
    )
    if draft.status in FINAL_STATUSES:
        result.errors.setdefault(
            "status",
            "A new incident starts open: investigating, identified or monitoring.",
        )
    changes, error = resolve_components(session, components)
    if error:
        result.errors["components"] = error
    wanted_roles, error = validate_roles(roles)
    if error:
        result.errors["roles"] = error
    if result.blocked:
        raise Rejected(result)
    incident = Incident(
        title=title.strip(),
        severity=severity,
        status=draft.status,
        declared_at=now,
        updated_at=now,
        declared_by_id=author.id if author else None,
    )
    session.add(incident)
    session.flush()
    assert incident.id is not None
    assign_roles(session, incident.id, wanted_roles, now)
    update = _publish(session, incident, draft, changes, author, now)
    return incident, update


def add_update(
    session: Session,
    incident: Incident,
    *,
    draft: Draft,
    components: Mapping[str, str] | None,
    author: User | None,
    now: datetime,
    policy: Policy,
) -> Update:
    """Publish a new update on an incident, or raise Rejected."""
    result = review(
        draft,
        title=incident.title,
        severity=incident.severity,
        now=now,
        max_intervals=policy.max_intervals,
    )
    if draft.status == "postmortem" and incident.status not in FINAL_STATUSES:
        result.errors.setdefault(
            "status", "Resolve the incident before publishing its postmortem."
        )
    changes, error = resolve_components(session, components)
    if error:
        result.errors["components"] = error
    if result.blocked:
        raise Rejected(result)
    return _publish(session, incident, draft, changes, author, now)


def _publish(
    session: Session,
    incident: Incident,
    draft: Draft,
    changes: dict[int, str],
    author: User | None,
    now: datetime,
) -> Update:
    assert incident.id is not None
    update = Update(
        incident_id=incident.id,
        status=draft.status,
        current_impact=draft.current_impact.strip(),
        current_action=draft.current_action.strip(),
        user_action=draft.user_action.strip(),
        next_update_at=draft.next_update_at,
        body=draft.body.strip(),
        cause_confirmed=draft.cause_confirmed,
        cause_confirmed_by_id=author.id if (author and draft.cause_confirmed) else None,
        cause_confirmed_at=now if draft.cause_confirmed else None,
        author_id=author.id if author else None,
        author_name=(author.name or author.email) if author else "",
        published_at=now,
    )
    session.add(update)
    session.flush()
    assert update.id is not None
    if draft.status == "resolved" and incident.status not in FINAL_STATUSES:
        changes = _restore_on_resolve(session, incident, changes)
    for component_id, new_status in sorted(changes.items()):
        component = session.get(Component, component_id)
        assert component is not None
        session.add(
            UpdateComponent(
                update_id=update.id,
                component_id=component_id,
                old_status=component.status,
                new_status=new_status,
            )
        )
        if component.status != new_status:
            component.status = new_status
            component.updated_at = now
            session.add(component)
        link = session.get(IncidentComponent, (incident.id, component_id))
        if link is None:
            session.add(
                IncidentComponent(
                    incident_id=incident.id,
                    component_id=component_id,
                    status=new_status,
                )
            )
        else:
            link.status = new_status
            session.add(link)
    if draft.status == "resolved":
        incident.resolved_at = now
    elif draft.status != "postmortem":
        incident.resolved_at = None  # an update that reopens the incident
    incident.status = draft.status
    incident.updated_at = now
    session.add(incident)
    session.flush()
    from .notify.outbox import queue_update

    queue_update(session, update, incident, now)  # the outbox: same transaction
    return update


def _restore_on_resolve(
    session: Session, incident: Incident, changes: dict[int, str]
) -> dict[int, str]:
    # Resolving returns the incident's components to operational unless the author
    # set them explicitly or another open incident still affects them.
    out = dict(changes)
    links = session.exec(
        select(IncidentComponent).where(IncidentComponent.incident_id == incident.id)
    ).all()
    for link in links:
        if link.component_id in out:
            continue
        other = session.exec(
            select(IncidentComponent)
            .join(Incident, Incident.id == IncidentComponent.incident_id)  # type: ignore[arg-type]
            .where(IncidentComponent.component_id == link.component_id)
            .where(Incident.id != incident.id)
            .where(Incident.status.in_(("investigating", "identified", "monitoring")))  # type: ignore[attr-defined]
        ).first()
        if other is None:
            out[link.component_id] = ComponentStatus.operational.value
    return out


def updates_of(session: Session, incident_id: int) -> list[Update]:
    """The incident's updates, oldest first."""
    return list(
        session.exec(
            select(Update)
            .where(Update.incident_id == incident_id)
            .order_by(Update.published_at, Update.id)  # type: ignore[arg-type]
        ).all()
    )


def open_incidents(session: Session) -> list[Incident]:
    """Incidents not yet resolved, most severe first, then oldest first."""
    return list(
        session.exec(
            select(Incident)
            .where(Incident.status.in_(("investigating", "identified", "monitoring")))  # type: ignore[attr-defined]
            .order_by(Incident.severity, Incident.declared_at)  # type: ignore[arg-type]
        ).all()
    )
