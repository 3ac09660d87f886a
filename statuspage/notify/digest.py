"""Daily and weekly digests: one email per digest subscriber per period.

The period is the last complete UTC day (or ISO week) before `now`; its key
("daily:2026-11-25", "weekly:2026-W47") makes the delivery unique per subscriber,
so running the command or the schedule again queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from ..models import (
    Delivery,
    Incident,
    IncidentComponent,
    Maintenance,
    MaintenanceComponent,
    Subscriber,
    Update,
)
from ..render import contexts
from ..subscriptions import component_ids
from . import messages
from .outbox import active_subscribers, queue_one

PERIODS = ("daily", "weekly")


@dataclass(frozen=True)
class Period:
    """A digest period: its key and its [start, end) window in UTC."""

    name: str
    key: str
    start: datetime
    end: datetime


def period_for(name: str, now: datetime) -> Period:
    """The last complete day or ISO week before `now`."""
    today = now.astimezone(UTC).date()
    if name == "daily":
        first = today - timedelta(days=1)
        last = today
        key = f"daily:{first.isoformat()}"
    elif name == "weekly":
        this_monday = today - timedelta(days=today.weekday())
        first = this_monday - timedelta(days=7)
        last = this_monday
        year, week, _ = first.isocalendar()
        key = f"weekly:{year}-W{week:02d}"
    else:
        raise ValueError(f"period must be daily or weekly, not {name!r}")
    return Period(name, key, _midnight(first), _midnight(last))


def period_from_key(key: str) -> Period:
    """Rebuild a period from its key (the worker renders from the delivery row)."""
    name, _, value = key.partition(":")
    if name == "daily":
        day = date.fromisoformat(value)
    else:
        day = date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
    return period_for(
        name, _midnight(day + timedelta(days=7 if name == "weekly" else 1))
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass
class Item:
    """One incident or maintenance in a digest."""

    kind: str  # incident | maintenance
    id: int
    title: str
    status: str
    status_label: str
    components: set[int]
    updates: list[Any] = field(default_factory=list)
    url: str = ""
    when: datetime | None = None


def collect(
    session: Session, settings: Mapping[str, Any], period: Period
) -> list[Item]:
    """Every incident with updates in the period, and maintenance overlapping it."""
    items: dict[int, Item] = {}
    updates = session.exec(
        select(Update, Incident)
        .join(Incident, Incident.id == Update.incident_id)  # type: ignore[arg-type]
        .where(Update.published_at >= period.start)  # type: ignore[arg-type]
        .where(Update.published_at < period.end)  # type: ignore[arg-type]
        .order_by(Update.published_at, Update.id)  # type: ignore[arg-type]
    ).all()
    base = messages.site_url(settings)
    for update, incident in updates:
        assert incident.id is not None
        item = items.get(incident.id)
        if item is None:
            comps = set(
                session.exec(
                    select(IncidentComponent.component_id).where(
                        IncidentComponent.incident_id == incident.id
                    )
                ).all()
            )
            item = items[incident.id] = Item(
                "incident",
                incident.id,
                incident.title,
                incident.status,
                contexts.status_label(incident.status),
                comps,
                url=f"{base}/incidents/{incident.id}.html",
            )
        item.updates.append(update)
    out = list(items.values())
    for m in session.exec(
        select(Maintenance)
        .where(Maintenance.scheduled_for < period.end)  # type: ignore[arg-type]
        .where(Maintenance.scheduled_until >= period.start)  # type: ignore[arg-type]
        .order_by(Maintenance.scheduled_for)  # type: ignore[arg-type]
    ).all():
        comps = set(
            session.exec(
                select(MaintenanceComponent.component_id).where(
                    MaintenanceComponent.maintenance_id == m.id
                )
            ).all()
        )
        out.append(
            Item(
                "maintenance",
                m.id or 0,
                m.title,
                m.status,
                m.status.replace("_", " ").capitalize(),
                comps,
                when=m.scheduled_for,
            )
        )
    return out


def for_subscriber(items: list[Item], chosen: list[int]) -> list[Item]:
    """The items touching the subscriber's components (no choice: all)."""
    if not chosen:
        return list(items)
    wanted = set(chosen)
    return [i for i in items if i.components & wanted]


def queue_digests(
    session: Session, settings: Mapping[str, Any], name: str, now: datetime
) -> int:
    """Queue this period's digest for every digest subscriber; returns how many."""
    period = period_for(name, now)
    items = collect(session, settings, period)
    send_empty = bool(settings.get("DIGEST_SEND_EMPTY"))
    subscribers = session.exec(
        select(Subscriber).where(
            active_subscribers(),
            Subscriber.mode == f"{name}_digest",
            Subscriber.confirmed_at < period.end,  # type: ignore[operator]
        )
    ).all()
    queued = 0
    for subscriber in subscribers:
        assert subscriber.id is not None
        mine = for_subscriber(items, component_ids(session, subscriber.id))
        if not mine and not send_empty:
            continue
        queued += queue_one(
            session,
            key=f"digest:{period.key}:{subscriber.id}",
            kind="digest",
            subscriber_id=subscriber.id,
            period=period.key,
            now=now,
        )
    return queued


def digest_message(
    session: Session,
    settings: Mapping[str, Any],
    delivery: Delivery,
    subscriber: Subscriber,
    now: datetime,
) -> tuple[str, bytes]:
    """Render one subscriber's digest for the delivery's period."""
    assert subscriber.id is not None
    period = period_from_key(delivery.period)
    items = for_subscriber(
        collect(session, settings, period), component_ids(session, subscriber.id)
    )
    page = str(settings.get("PAGE_NAME") or "Status")
    label = contexts.format_utc(period.start).split(",")[0]
    n_inc = sum(1 for i in items if i.kind == "incident")
    n_mnt = len(items) - n_inc
    if items:
        summary = f"{n_inc} incident(s), {n_mnt} maintenance"
    else:
        summary = "nothing to report"
    what = "Daily" if period.name == "daily" else "Weekly"
    return messages.simple_message(
        settings,
        "digest",
        subscriber,
        subject=f"{page} {what.lower()} digest, {label}: {summary}",
        date=now,
        key=delivery.dedupe_key,
        period=period,
        period_label=f"{what} digest from {label}",
        items=items,
    )
