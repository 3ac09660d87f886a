"""The reader stage's data: plain, frozen dataclasses of what the database holds.

`snapshot.py` makes them; every later stage reads them (and nothing else of the
database). They are re-exported by `snapshot`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GroupSnap:
    """A component group as stored."""

    id: int
    name: str
    description: str
    position: int
    created_at: datetime | None = None


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
    created_at: datetime | None = None


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
class IncidentRow:
    """An incident without its updates: what listings and fingerprints need."""

    id: int
    title: str
    severity: str
    status: str
    declared_at: datetime
    resolved_at: datetime | None
    updated_at: datetime
    affected: tuple[AffectedSnap, ...]
    update_count: int = 0
    last_update_id: int = 0
    last_published_at: datetime | None = None
    token: str = ""  # the incident's change_token when this row was read


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
class StatusChange:
    """A component's status set by a published update, at its publication time."""

    component_id: int
    at: datetime
    old_status: str
    new_status: str


@dataclass(frozen=True)
class MaintenanceSnap:
    """Planned work and the components it takes down."""

    id: int
    title: str
    body: str
    status: str
    scheduled_for: datetime
    scheduled_until: datetime
    created_at: datetime
    updated_at: datetime
    guid: str
    component_ids: tuple[int, ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything the public site shows, sorted by id so it is deterministic.

    `incidents` holds the incidents whose updates were read (all, in a full build);
    `rows` holds every incident, without updates.
    """

    groups: tuple[GroupSnap, ...]
    components: tuple[ComponentSnap, ...]
    incidents: tuple[IncidentSnap, ...]
    rows: tuple[IncidentRow, ...] = ()
    changes: tuple[StatusChange, ...] = ()
    maintenances: tuple[MaintenanceSnap, ...] = ()


@dataclass(frozen=True)
class Base:
    """The cheap read: everything but the updates themselves."""

    groups: tuple[GroupSnap, ...]
    components: tuple[ComponentSnap, ...]
    rows: tuple[IncidentRow, ...]
    changes: tuple[StatusChange, ...]
    maintenances: tuple[MaintenanceSnap, ...]

    @functools.cached_property
    def by_id(self) -> dict[int, IncidentRow]:
        """The rows by incident id (made once, on first use)."""
        return {r.id: r for r in self.rows}
