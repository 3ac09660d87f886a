"""The reader stage: one read of the database into plain, frozen dataclasses.

Nothing past this module sees an ORM object, so the later stages are pure functions
of a `Snapshot` and cannot lazy-load, flush or be surprised by a detached instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ..models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentComponent,
    Update,
    UpdateComponent,
)


@dataclass(frozen=True)
class GroupSnap:
    """A component group as stored."""

    id: int
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class ComponentSnap:
    """A component as stored."""

    id: int
    name: str
    description: str
    group_id: int | None
    position: int
    status: str
    showcase: bool
    only_show_if_degraded: bool
    updated_at: datetime


@dataclass(frozen=True)
class AffectedSnap:
    """A component an incident affects, and the status the incident gave it."""

    component_id: int
    component_name: str
    status: str


@dataclass(frozen=True)
class ChangeSnap:
    """A component status change announced by an update."""

    component_id: int
    component_name: str
    old_status: str
    new_status: str


@dataclass(frozen=True)
class UpdateSnap:
    """One published update."""

    id: int
    incident_id: int
    status: str
    current_impact: str
    current_action: str
    user_action: str
    next_update_at: datetime | None
    body: str
    published_at: datetime
    guid: str
    changes: tuple[ChangeSnap, ...]


@dataclass(frozen=True)
class IncidentSnap:
    """An incident with its affected components and its updates, oldest first."""

    id: int
    title: str
    severity: str
    status: str
    declared_at: datetime
    resolved_at: datetime | None
    updated_at: datetime
    affected: tuple[AffectedSnap, ...]
    updates: tuple[UpdateSnap, ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything the public site shows, sorted by id so it is deterministic."""

    groups: tuple[GroupSnap, ...]
    components: tuple[ComponentSnap, ...]
    incidents: tuple[IncidentSnap, ...]


def read_snapshot(session: Session) -> Snapshot:
    """Read every row the public site needs into a `Snapshot`."""
    groups = tuple(
        GroupSnap(id=g.id, name=g.name, description=g.description, position=g.position)
        for g in session.exec(select(ComponentGroup).order_by(col(ComponentGroup.id)))
        if g.id is not None
    )
    components = tuple(
        ComponentSnap(
            id=c.id,
            name=c.name,
            description=c.description,
            group_id=c.group_id,
            position=c.position,
            status=c.status,
            showcase=c.showcase,
            only_show_if_degraded=c.only_show_if_degraded,
            updated_at=c.updated_at,
        )
        for c in session.exec(select(Component).order_by(col(Component.id)))
        if c.id is not None
    )

    affected: dict[int, list[AffectedSnap]] = {}
    links = session.exec(
        select(IncidentComponent, Component.name)
        .join(Component, col(Component.id) == col(IncidentComponent.component_id))
        .order_by(
            col(IncidentComponent.incident_id), col(IncidentComponent.component_id)
        )
    )
    for link, name in links:
        affected.setdefault(link.incident_id, []).append(
            AffectedSnap(
                component_id=link.component_id, component_name=name, status=link.status
            )
        )

    changes: dict[int, list[ChangeSnap]] = {}
    announced = session.exec(
        select(UpdateComponent, Component.name)
        .join(Component, col(Component.id) == col(UpdateComponent.component_id))
        .order_by(col(UpdateComponent.update_id), col(UpdateComponent.component_id))
    )
    for change, name in announced:
        changes.setdefault(change.update_id, []).append(
            ChangeSnap(
                component_id=change.component_id,
                component_name=name,
                old_status=change.old_status,
                new_status=change.new_status,
            )
        )

    updates: dict[int, list[UpdateSnap]] = {}
    # Ordered by publication (id breaks ties) so "latest" is simply the last one.
    for u in session.exec(
        select(Update).order_by(col(Update.published_at), col(Update.id))
    ):
        if u.id is None:
            continue
        updates.setdefault(u.incident_id, []).append(
            UpdateSnap(
                id=u.id,
                incident_id=u.incident_id,
                status=u.status,
                current_impact=u.current_impact,
                current_action=u.current_action,
                user_action=u.user_action,
                next_update_at=u.next_update_at,
                body=u.body,
                published_at=u.published_at,
                guid=u.guid,
                changes=tuple(changes.get(u.id, ())),
            )
        )

    incidents = tuple(
        IncidentSnap(
            id=i.id,
            title=i.title,
            severity=i.severity,
            status=i.status,
            declared_at=i.declared_at,
            resolved_at=i.resolved_at,
            updated_at=i.updated_at,
            affected=tuple(affected.get(i.id, ())),
            updates=tuple(updates.get(i.id, ())),
        )
        for i in session.exec(select(Incident).order_by(col(Incident.id)))
        if i.id is not None
    )
    return Snapshot(groups=groups, components=components, incidents=incidents)
