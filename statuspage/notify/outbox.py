"""The transactional outbox: delivery rows queued in the writer's own transaction.

Every email that should ever exist gets one `Delivery` row with a unique
`dedupe_key`; queueing the same key twice is a no-op, so "never two" holds no matter
how often a caller retries. The worker (`notify/worker.py`) sends the rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from ..models import (
    Delivery,
    Incident,
    IncidentComponent,
    Maintenance,
    MaintenanceComponent,
    Subscriber,
    SubscriberComponent,
    SubscriberIncident,
    Update,
    UpdateComponent,
    UTCDateTime,
)

ACTIVE = "every_update"


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(
        Delivery.__table__  # type: ignore[attr-defined]
    )


def active_subscribers() -> Any:
    """The WHERE clause of subscribers who may receive mail now."""
    return sa.and_(
        Subscriber.confirmed_at.is_not(None),  # type: ignore[union-attr]
        Subscriber.unsubscribed_at.is_(None),  # type: ignore[union-attr]
        Subscriber.suppressed_at.is_(None),  # type: ignore[union-attr]
    )


def wants_components(component_ids: Any) -> Any:
    """Subscribers who chose no components (everything) or one of these."""
    chosen = select(SubscriberComponent.subscriber_id).where(
        SubscriberComponent.subscriber_id == Subscriber.id
    )
    return sa.or_(
        ~chosen.exists(),
        chosen.where(SubscriberComponent.component_id.in_(component_ids)).exists(),  # type: ignore[attr-defined]
    )


def update_recipients(incident_id: int, update_id: int) -> Any:
    """A SELECT of the ids of subscribers an update is for."""
    affected = sa.union(
        select(IncidentComponent.component_id).where(
            IncidentComponent.incident_id == incident_id
        ),
        select(UpdateComponent.component_id).where(
            UpdateComponent.update_id == update_id
        ),
    )
    follower = (
        select(SubscriberIncident.subscriber_id)
        .where(SubscriberIncident.subscriber_id == Subscriber.id)
        .where(SubscriberIncident.incident_id == incident_id)
        .exists()
    )
    return select(Subscriber.id).where(
        active_subscribers(),
        sa.or_(
            sa.and_(Subscriber.mode == ACTIVE, wants_components(affected)),  # type: ignore[arg-type]
            follower,
        ),
    )


def queue_update(
    session: Session, update: Update, incident: Incident, now: datetime
) -> int:
    """Queue one email per matching subscriber, in the caller's transaction."""
    assert update.id is not None and incident.id is not None
    recipients = update_recipients(incident.id, update.id).subquery()
    return _queue_fan_out(
        session,
        recipients,
        f"update:{update.id}:",
        "update",
        "update_id",
        update.id,
        now,
    )


def queue_maintenance(session: Session, maintenance: Maintenance, now: datetime) -> int:
    """Queue a notice of a maintenance window (in its current status) per subscriber."""
    assert maintenance.id is not None
    covered = select(MaintenanceComponent.component_id).where(
        MaintenanceComponent.maintenance_id == maintenance.id
    )
    recipients = (
        select(Subscriber.id)
        .where(active_subscribers(), Subscriber.mode == ACTIVE)  # type: ignore[arg-type]
        .where(wants_components(covered))
        .subquery()
    )
    prefix = f"maintenance:{maintenance.id}:{maintenance.status}:"
    return _queue_fan_out(
        session,
        recipients,
        prefix,
        "maintenance",
        "maintenance_id",
        maintenance.id,
        now,
    )


def _queue_fan_out(
    session: Session,
    recipients: Any,
    key_prefix: str,
    kind: str,
    ref_column: str,
    ref_id: int,
    now: datetime,
) -> int:
    # One INSERT ... SELECT for every recipient; the unique dedupe key makes a
    # second queueing of the same message a no-op.
    sid = recipients.c.id
    rows = sa.select(
        (sa.literal(key_prefix) + sa.cast(sid, sa.String)).label("k"),
        sa.literal(kind).label("kind"),
        sa.literal(ref_id).label(ref_column),
        sid,
        sa.literal("").label("period"),
        sa.literal("pending").label("state"),
        sa.literal(0).label("attempts"),
        sa.literal(now, UTCDateTime).label("created_at"),
        sa.literal(now, UTCDateTime).label("next_attempt_at"),
        sa.literal("").label("last_error"),
        sa.literal("").label("message_id"),
    ).where(sa.literal_column("1") == 1)  # SQLite: lets ON CONFLICT parse after SELECT
    columns = [
        "dedupe_key",
        "kind",
        ref_column,
        "subscriber_id",
        "period",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_error",
        "message_id",
    ]
    stmt = (
        _insert(session)
        .from_select(columns, rows)
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    return len(session.execute(stmt).all())


def queue_one(
    session: Session,
    *,
    key: str,
    kind: str,
    subscriber_id: int,
    now: datetime,
    period: str = "",
    update_id: int | None = None,
) -> bool:
    """Queue one delivery unless its key exists; True when a row was added."""
    stmt = (
        _insert(session)
        .values(
            dedupe_key=key,
            kind=kind,
            update_id=update_id,
            subscriber_id=subscriber_id,
            period=period,
            state="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            last_error="",
            message_id="",
        )
        .on_conflict_do_nothing()
        .returning(Delivery.id)  # rowcount is -1 on psycopg when RETURNING is implied
    )
    return session.execute(stmt).first() is not None


def counts(session: Session) -> dict[str, int]:
    """Deliveries per state (for the CLI and tests)."""
    rows = session.exec(
        select(Delivery.state, sa.func.count()).group_by(Delivery.state)  # type: ignore[arg-type]
    ).all()
    return {state: int(n) for state, n in rows}
