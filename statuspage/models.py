"""SQLModel tables and their input/output models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC (naive in SQLite, timestamptz in PostgreSQL); returns aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def new_change_token() -> str:
    """A random token marking one version of an incident's public content."""
    return uuid.uuid4().hex


def _ts(nullable: bool = False, **kw: object) -> object:
    return Field(sa_type=UTCDateTime, nullable=nullable, **kw)  # type: ignore[call-overload]


class ComponentStatus(StrEnum):
    operational = "operational"
    degraded_performance = "degraded_performance"
    partial_outage = "partial_outage"
    major_outage = "major_outage"
    under_maintenance = "under_maintenance"


class IncidentStatus(StrEnum):
    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"
    postmortem = "postmortem"


OPEN_STATUSES = (
    IncidentStatus.investigating,
    IncidentStatus.identified,
    IncidentStatus.monitoring,
)
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


class ComponentGroup(SQLModel, table=True):
    __tablename__ = "component_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    description: str = ""
    position: int = 0
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]


class Component(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    description: str = ""
    group_id: int | None = Field(default=None, foreign_key="component_group.id")
    position: int = 0
    status: str = Field(default=ComponentStatus.operational, max_length=32)
    showcase: bool = True
    only_show_if_degraded: bool = False
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    updated_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = ""
    password_hash: str
    time_zone: str = ""
    is_active: bool = True
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Only a SHA-256 of the token is kept; the token itself is shown once.
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    last_used_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    revoked: bool = False


class Incident(SQLModel, table=True):
    # The checkpoint check reads only open incidents: keep that cheap (0004).
    # The site build reads every change_token from an index (0006).
    __table_args__ = (
        sa.Index("ix_incident_status", "status"),
        sa.Index("ix_incident_change_token", "change_token"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    severity: str = Field(max_length=8)
    status: str = Field(default=IncidentStatus.investigating, max_length=32)
    declared_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    resolved_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    updated_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    declared_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # New on every change to what the public site shows of it (0006): the site
    # build re-reads only incidents whose token it has not seen.
    change_token: str = Field(default_factory=new_change_token, max_length=32)


class IncidentComponent(SQLModel, table=True):
    """A component the incident affects, and the status it gave it."""

    __tablename__ = "incident_component"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)
    status: str = Field(max_length=32)


class Update(SQLModel, table=True):
    """One public update. Published updates are immutable: corrections are new rows."""

    # An incident's latest update, for the checkpoint check (0004).
    __table_args__ = (
        sa.Index("ix_update_incident_published", "incident_id", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    status: str = Field(max_length=32)
    current_impact: str = ""
    current_action: str = ""
    user_action: str = ""
    next_update_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    body: str = ""
    cause_confirmed: bool = False
    cause_confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    cause_confirmed_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    author_name: str = ""
    published_at: datetime = _ts(default_factory=utcnow, index=True)  # type: ignore[assignment]
    # Stable identity for feeds and mail threading; set once, never changed.
    guid: str = Field(
        default_factory=lambda: f"urn:uuid:{uuid.uuid4()}", max_length=64, unique=True
    )


class UpdateComponent(SQLModel, table=True):
    """A component status change announced by an update."""

    __tablename__ = "update_component"

    update_id: int = Field(foreign_key="update.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)
    old_status: str = Field(max_length=32)
    new_status: str = Field(max_length=32)


class IncidentRole(SQLModel, table=True):
    """A named role on an incident: commander, technical lead, comms lead, scribe."""

    __tablename__ = "incident_role"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    role: str = Field(max_length=32, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    name: str = ""
    email: str = Field(default="", max_length=320)
    assigned_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]


ROLES = ("commander", "technical_lead", "comms_lead", "scribe")


class Maintenance(SQLModel, table=True):
    """Planned work, announced ahead (Statuspage's scheduled maintenance)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = ""
    # scheduled, in_progress, verifying, completed (Statuspage's values)
    status: str = Field(default="scheduled", max_length=32)
    scheduled_for: datetime = _ts()  # type: ignore[assignment]
    scheduled_until: datetime = _ts()  # type: ignore[assignment]
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    updated_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    guid: str = Field(
        default_factory=lambda: f"urn:uuid:{uuid.uuid4()}", max_length=64, unique=True
    )


class MaintenanceComponent(SQLModel, table=True):
    __tablename__ = "maintenance_component"

    maintenance_id: int = Field(foreign_key="maintenance.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)


class SiteLock(SQLModel, table=True):
    """A named lease in the database, so two app processes never build at once."""

    __tablename__ = "site_lock"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(default="", max_length=200)
    expires_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]


class Alert(SQLModel, table=True):
    """One checkpoint alert; its unique key sends it once per promise and kind."""

    __table_args__ = (sa.UniqueConstraint("update_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    update_id: int = Field(foreign_key="update.id")
    kind: str = Field(max_length=32)  # reminder, overdue, escalation-1, ...
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    sent_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    attempts: int = 0
    last_error: str = ""
    # Channels that already took this alert ("email,webhook"): a retry sends
    # only to the ones that failed, so nobody gets it twice.
    channels_done: str = Field(default="", max_length=100)
    # While set and in the future, one checker owns the alert (sending or
    # waiting out its backoff); afterwards any checker may retry it.
    lease_until: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]


class Subscriber(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    mode: str = Field(default="every_update", max_length=16)
    # Opaque random token behind the preferences and unsubscribe links.
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    confirmation_sent_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    reminder_sent_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    confirmed_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    unsubscribed_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    suppressed_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    hard_failures: int = 0


class SubscriberComponent(SQLModel, table=True):
    __tablename__ = "subscriber_component"

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)


class SubscriberIncident(SQLModel, table=True):
    """A subscriber following one incident only."""

    __tablename__ = "subscriber_incident"

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", primary_key=True)


class Delivery(SQLModel, table=True):
    """One email to one subscriber: the outbox row the worker claims and sends."""

    __table_args__ = (sa.Index("ix_delivery_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # One row per message ever meant to exist, e.g. "update:12:5" or
    # "digest:daily:2026-11-26:5": the unique key is what makes "never twice" hold.
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(default="update", max_length=32)  # update, confirm, digest, ...
    update_id: int | None = Field(default=None, foreign_key="update.id")
    maintenance_id: int | None = Field(default=None, foreign_key="maintenance.id")
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    # A digest's period key, e.g. "daily:2026-11-26"; empty for other kinds.
    period: str = Field(default="", max_length=32)
    state: str = Field(
        default="pending", max_length=16
    )  # pending, sending, sent, failed
    attempts: int = 0
    created_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    next_attempt_at: datetime = _ts(default_factory=utcnow)  # type: ignore[assignment]
    lease_until: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    sent_at: datetime | None = _ts(nullable=True, default=None)  # type: ignore[assignment]
    last_error: str = ""
    message_id: str = Field(default="", max_length=200)


class Throttle(SQLModel, table=True):
    """A fixed-window counter shared by every app instance (rate limits)."""

    key: str = Field(primary_key=True, max_length=200)
    window_start: datetime = _ts()  # type: ignore[assignment]
    count: int = 0
