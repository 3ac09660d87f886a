"""The context stage: a `Snapshot` becomes the pages of the site and what each shows.

Pure functions only (no database, no files, no Jinja). The dataclasses here are the
public contract a theme's templates receive, so every field carries help text.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .. import checkpoints
from .snapshot import (
    ComponentSnap,
    IncidentRow,
    IncidentSnap,
    MaintenanceSnap,
    Snapshot,
    UpdateSnap,
)

OPEN_STATUSES = ("investigating", "identified", "monitoring")
FINAL_STATUSES = ("resolved", "postmortem")

COMPONENT_STATUS_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded Performance",
    "partial_outage": "Partial Outage",
    "major_outage": "Major Outage",
    "under_maintenance": "Under Maintenance",
}
INCIDENT_STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
}
MAINTENANCE_STATUS_LABELS = {
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
# Atlassian Statuspage's `status.indicator` values and their descriptions.
INDICATOR_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}
# Worst first decides a group's status; maintenance is planned, so it ranks low.
_SEVERITY_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}
MONTHS = (
    "January February March April May June July August September October "
    "November December"
).split()


def _help(text: str) -> Any:
    return field(metadata={"help": text})


def status_label(status: str) -> str:
    """The words customers read for a component or incident status value."""
    labels = COMPONENT_STATUS_LABELS | INCIDENT_STATUS_LABELS
    return labels.get(status) or status.replace("_", " ").title()


@functools.lru_cache(maxsize=1 << 16)  # pure; listings repeat times
def format_utc(moment: datetime) -> str:
    """A time as customers read it: 26 Nov 2026, 16:30 UTC."""
    m = moment.astimezone(UTC)
    return f"{m.day} {MONTHS[m.month - 1][:3]} {m.year}, {m:%H:%M} UTC"


@functools.lru_cache(maxsize=1 << 16)
def format_hhmm(moment: datetime) -> str:
    """A time of day in UTC: 16:45 UTC."""
    return f"{moment.astimezone(UTC):%H:%M} UTC"


@functools.lru_cache(maxsize=1 << 16)
def format_iso(moment: datetime) -> str:
    """A machine-readable time for `<time datetime>`: 2026-11-26T16:30:00+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def format_month(moment: datetime) -> str:
    """The month a time falls in, in UTC: November 2026."""
    m = moment.astimezone(UTC)
    return f"{MONTHS[m.month - 1]} {m.year}"


@dataclass(frozen=True)
class OverallStatus:
    """The page-wide status, as Atlassian Statuspage's indicator."""

    indicator: str = _help("none, minor, major, critical or maintenance")
    description: str = _help("The banner text, e.g. 'All Systems Operational'")


@dataclass(frozen=True)
class SiteContext:
    """What every page knows about the site."""

    page_name: str = _help("Name of the status page (PAGE_NAME)")
    public_url: str = _help("Public address of the site without a trailing slash")
    last_updated: datetime = _help("When the shown data last changed (aware, UTC)")
    show_on_time_rate: bool = field(
        default=False,
        metadata={"help": "SHOW_ON_TIME_RATE: show incidents' on-time line"},
    )
    subscribe_url: str = field(
        default="/subscribe",
        metadata={"help": "Where subscribe forms post: APP_URL + /subscribe"},
    )


@dataclass(frozen=True)
class UptimeDay:
    """One day of a component's uptime bar."""

    date: str = _help("The UTC day: 2026-11-26")
    label: str = _help("The day in words: 26 Nov 2026")
    status: str = _help("Worst status that day, or no_data before the component")
    status_label: str = _help("That status in words ('No data' before it existed)")
    outage_minutes: int = _help("Minutes of partial or major outage, not maintenance")


@dataclass(frozen=True)
class UptimeContext:
    """A component's last 90 days."""

    days: tuple[UptimeDay, ...] = _help("Oldest first, ending today (UTC)")
    percent: str = _help("Uptime over the days with data, e.g. '99.98%'; '' if none")


@dataclass(frozen=True)
class ComponentContext:
    """One component as listed on the front page."""

    name: str = _help("Component name")
    description: str = _help("Optional description, plain text")
    status: str = _help("Status value, e.g. major_outage")
    status_label: str = _help("Status in words, e.g. 'Major Outage'")
    id: int = _help("Component id")
    path: str = _help("Its page relative to the site root: components/<id>.html")
    uptime: UptimeContext | None = _help("Its 90-day uptime bar")


@dataclass(frozen=True)
class ComponentLink:
    """A component named by a page of its history, which does not show its status."""

    id: int = _help("Component id")
    name: str = _help("Component name")
    path: str = _help("Its page relative to the site root: components/<id>.html")


@dataclass(frozen=True)
class GroupContext:
    """A component group and its listed components, in display order."""

    name: str = _help("Group name")
    description: str = _help("Optional description, plain text")
    status: str = _help("The worst status among its components")
    status_label: str = _help("That status in words")
    components: tuple[ComponentContext, ...] = _help("Components by position, name")


@dataclass(frozen=True)
class ChangeContext:
    """A component status change announced by an update."""

    name: str = _help("Component name")
    old_status: str = _help("Status value before the update")
    old_label: str = _help("Status before, in words")
    new_status: str = _help("Status value after the update")
    new_label: str = _help("Status after, in words")


@dataclass(frozen=True)
class UpdateContext:
    """One public update: what `_update.html` receives as `update`."""

    incident_title: str = _help("Title of the incident the update belongs to")
    severity: str = _help("Severity of the incident, e.g. SEV-2")
    status: str = _help("Status value, e.g. identified")
    status_label: str = _help("Status in words, e.g. 'Identified'")
    final: bool = _help("True for resolved and postmortem updates")
    current_impact: str = _help("Current impact, plain text")
    current_action: str = _help("What we are doing, plain text")
    user_action: str = _help("What you should do, plain text")
    next_update_at: datetime | None = _help("Promised next update; None when final")
    next_update_label: str | None = _help("'16:45 UTC', with the date if another day")
    body: str = _help("Details in Markdown; render with the `markdown` filter")
    published_at: datetime = _help("When it was published (aware, UTC)")
    changes: tuple[ChangeContext, ...] = _help("Component status changes it announced")


@dataclass(frozen=True)
class AffectedContext:
    """A component an incident affects."""

    name: str = _help("Component name")
    status: str = _help("Status value the incident gave it")
    status_label: str = _help("That status in words")


@dataclass(frozen=True)
class IncidentContext:
    """An incident, for its own page, the front page and the history."""

    id: int = _help("Incident id")
    title: str = _help("Incident title")
    severity: str = _help("Severity, e.g. SEV-2")
    status: str = _help("Status value, e.g. monitoring")
    status_label: str = _help("Status in words, e.g. 'Monitoring'")
    is_open: bool = _help("True while investigating, identified or monitoring")
    path: str = _help("Its page relative to the site root: incidents/<id>.html")
    declared_at: datetime = _help("When it was declared (aware, UTC)")
    resolved_at: datetime | None = _help("When it was resolved, if it was")
    affected: tuple[AffectedContext, ...] = _help("Affected components, by name")
    updates: tuple[UpdateContext, ...] = _help("Every update, newest first")
    latest_update: UpdateContext | None = _help("The newest update, if any")
    on_time: str | None = field(
        default=None,
        metadata={
            "help": "'7 of 7 updates on time': promises kept, as of the newest "
            "update (None before any promise was followed by an update)"
        },
    )


@dataclass(frozen=True)
class IncidentItem:
    """An incident in a listing (history, component pages), without its updates."""

    id: int = _help("Incident id")
    title: str = _help("Incident title")
    severity: str = _help("Severity, e.g. SEV-2")
    status: str = _help("Status value, e.g. resolved")
    status_label: str = _help("Status in words")
    is_open: bool = _help("True while investigating, identified or monitoring")
    path: str = _help("Its page relative to the site root: incidents/<id>.html")
    declared_at: datetime = _help("When it was declared (aware, UTC)")
    resolved_at: datetime | None = _help("When it was resolved, if it was")
    components: tuple[str, ...] = _help("Names of the components it affects")


@dataclass(frozen=True)
class MonthContext:
    """One month of the incident history."""

    key: str = _help("Year and month: 2026-11")
    label: str = _help("Month in words: November 2026")
    incidents: tuple[IncidentItem, ...] = _help(
        "Incidents declared that month, newest first; on history.html and a "
        "component's page only the newest 25 of a month (compare with `count` and "
        "link to `path` for the rest); empty in the archive list"
    )
    path: str = _help(
        "Its page relative to the site root: history/2026-11.html, or "
        "components/<id>/history/2026-11.html in a component's history"
    )
    count: int = _help(
        "How many incidents were declared that month (that affected the "
        "component, in a component's history)"
    )


@dataclass(frozen=True)
class MaintenanceContext:
    """Planned work, shown on the front page while upcoming or in progress."""

    id: int = _help("Maintenance id")
    title: str = _help("Title")
    body: str = _help("Details in Markdown; render with the `markdown` filter")
    status: str = _help("scheduled, in_progress, verifying or completed")
    status_label: str = _help("Status in words")
    scheduled_for: datetime = _help("Start of the window (aware, UTC)")
    scheduled_until: datetime = _help("End of the window (aware, UTC)")
    components: tuple[str, ...] = _help("Names of the components it covers")
    active: bool = _help("True inside the window (or while in progress)")


@dataclass(frozen=True)
class FeedLink:
    """A feed a page links to (and announces with autodiscovery links)."""

    title: str = _help("What the feed holds, e.g. 'Acme Status history (Atom)'")
    path: str = _help("Relative to the site root, e.g. history.atom")
    type: str = _help("application/atom+xml or application/rss+xml")


@dataclass(frozen=True)
class Page:
    """One file of the site: where it goes, its template and its context."""

    path: str
    template: str
    context: Mapping[str, Any]


def overall_status(statuses: Iterable[str], has_open_incident: bool) -> OverallStatus:
    """The page indicator from component statuses and whether an incident is open."""
    present = set(statuses)
    if "major_outage" in present:
        indicator = "critical"
    elif "partial_outage" in present:
        indicator = "major"
    elif "degraded_performance" in present or has_open_incident:
        # An open incident outranks maintenance: customers should see something is
        # wrong even when nobody has marked a component down yet.
        indicator = "minor"
    elif "under_maintenance" in present:
        indicator = "maintenance"
    else:
        indicator = "none"
    return OverallStatus(indicator, INDICATOR_DESCRIPTIONS[indicator])


def update_context(
    *,
    incident_title: str,
    severity: str,
    status: str,
    current_impact: str,
    current_action: str,
    user_action: str,
    next_update_at: datetime | None,
    body: str,
    published_at: datetime,
    changes: Iterable[tuple[str, str, str]],
) -> UpdateContext:
    """Build the context of one update; the site and the composer preview share it."""
    final = status in FINAL_STATUSES
    promised = None if final else next_update_at
    label = None
    if promised is not None:
        same_day = (
            promised.astimezone(UTC).date() == published_at.astimezone(UTC).date()
        )
        label = format_hhmm(promised) if same_day else format_utc(promised)
    return UpdateContext(
        incident_title=incident_title,
        severity=severity,
        status=status,
        status_label=status_label(status),
        final=final,
        current_impact=current_impact,
        current_action=current_action,
        user_action=user_action,
        next_update_at=promised,
        next_update_label=label,
        body=body,
        published_at=published_at,
        changes=tuple(
            ChangeContext(name, old, status_label(old), new, status_label(new))
            for name, old, new in changes
        ),
    )


def _update(incident: IncidentSnap, u: UpdateSnap) -> UpdateContext:
    return update_context(
        incident_title=incident.title,
        severity=incident.severity,
        status=u.status,
        current_impact=u.current_impact,
        current_action=u.current_action,
        user_action=u.user_action,
        next_update_at=u.next_update_at,
        body=u.body,
        published_at=u.published_at,
        changes=[(c.component_name, c.old_status, c.new_status) for c in u.changes],
    )


def incident_context(
    incident: IncidentSnap, grace: timedelta = timedelta(0)
) -> IncidentContext:
    """Build the context of one incident with its updates newest first."""
    updates = tuple(_update(incident, u) for u in reversed(incident.updates))
    # Judged as of the newest update: the page is rebuilt when the next one comes.
    newest = max((u.published_at for u in incident.updates), default=None)
    return IncidentContext(
        id=incident.id,
        title=incident.title,
        severity=incident.severity,
        status=incident.status,
        status_label=status_label(incident.status),
        is_open=incident.status in OPEN_STATUSES,
        path=f"incidents/{incident.id}.html",
        declared_at=incident.declared_at,
        resolved_at=incident.resolved_at,
        affected=tuple(
            AffectedContext(a.component_name, a.status, status_label(a.status))
            for a in sorted(
                incident.affected, key=lambda a: (a.component_name, a.status)
            )
        ),
        updates=updates,
        latest_update=updates[0] if updates else None,
        on_time=checkpoints.on_time_summary(incident.updates, newest, grace)
        if newest
        else None,
    )


def _component(c: ComponentSnap) -> ComponentContext:
    return ComponentContext(
        name=c.name,
        description=c.description,
        status=c.status,
        status_label=status_label(c.status),
        id=c.id,
        path=f"components/{c.id}.html",
        uptime=None,
    )


def _listed(
    components: Iterable[ComponentSnap], uptimes: Mapping[int, UptimeContext]
) -> tuple[ComponentContext, ...]:
    shown = [
        c
        for c in components
        if not (c.only_show_if_degraded and c.status == "operational")
    ]
    shown.sort(key=lambda c: (c.position, c.name, c.id))
    return tuple(
        dataclasses.replace(_component(c), uptime=uptimes.get(c.id)) for c in shown
    )


def component_groups(
    snapshot: Snapshot, uptimes: Mapping[int, UptimeContext] | None = None
) -> tuple[tuple[ComponentContext, ...], tuple[GroupContext, ...]]:
    """Return (ungrouped components, groups), each in display order."""
    uptimes = uptimes or {}
    known = {g.id for g in snapshot.groups}
    ungrouped = _listed(
        (c for c in snapshot.components if c.group_id not in known), uptimes
    )
    groups = []
    for g in sorted(snapshot.groups, key=lambda g: (g.position, g.name, g.id)):
        members = _listed(
            (c for c in snapshot.components if c.group_id == g.id), uptimes
        )
        if not members:
            continue
        worst = max((c.status for c in members), key=lambda s: _SEVERITY_RANK.get(s, 0))
        groups.append(
            GroupContext(g.name, g.description, worst, status_label(worst), members)
        )
    return ungrouped, tuple(groups)


def last_changed(snapshot: Snapshot) -> datetime | None:
    """The newest time in the data: an update, an incident or a component change."""
    times: list[datetime] = [c.updated_at for c in snapshot.components]
    times += [m.updated_at for m in snapshot.maintenances]
    rows: Iterable[Any] = snapshot.rows or snapshot.incidents
    for i in rows:
        times += [i.declared_at, i.updated_at]
        if i.resolved_at is not None:
            times.append(i.resolved_at)
    for i in snapshot.incidents:
        times += [u.published_at for u in i.updates]
    for r in snapshot.rows:
        if r.last_published_at is not None:
            times.append(r.last_published_at)
    return max(times, default=None)


def site_context(
    snapshot: Snapshot, settings: Mapping[str, Any], now: datetime | None
) -> SiteContext:
    """The site-wide context; `now` defaults to the newest time in the data."""
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    moment = now or last_changed(snapshot) or datetime.now(UTC)
    return SiteContext(
        page_name=str(settings.get("PAGE_NAME") or "Status"),
        public_url=str(settings.get("PUBLIC_URL") or "").rstrip("/"),
        last_updated=moment.astimezone(UTC),
        show_on_time_rate=bool(settings.get("SHOW_ON_TIME_RATE")),
        subscribe_url=str(settings.get("APP_URL") or "").rstrip("/") + "/subscribe",
    )


def incident_item(row: IncidentRow) -> IncidentItem:
    """An incident row as a listing shows it."""
    return IncidentItem(
        id=row.id,
        title=row.title,
        severity=row.severity,
        status=row.status,
        status_label=status_label(row.status),
        is_open=row.status in OPEN_STATUSES,
        path=f"incidents/{row.id}.html",
        declared_at=row.declared_at,
        resolved_at=row.resolved_at,
        components=tuple(sorted(a.component_name for a in row.affected)),
    )


def month_key(moment: datetime) -> str:
    """The UTC month of a time: 2026-11."""
    m = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month key from `first` to `last`, newest first."""
    y, m = map(int, last.split("-"))
    y0, m0 = map(int, first.split("-"))
    out = []
    while (y, m) >= (y0, m0):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def month_label(key: str) -> str:
    """November 2026 for 2026-11."""
    y, m = key.split("-")
    return f"{MONTHS[int(m) - 1]} {y}"


def month_context(
    key: str,
    items: Iterable[IncidentItem],
    path: str | None = None,
    limit: int | None = None,
) -> MonthContext:
    """One month of the history (or at `path`, of a component's), newest first;
    with `limit`, only that many of its incidents (`count` has them all)."""
    ordered = sorted(items, key=lambda i: (i.declared_at, i.id), reverse=True)
    return MonthContext(
        key,
        month_label(key),
        tuple(ordered if limit is None else ordered[:limit]),
        path or f"history/{key}.html",
        len(ordered),
    )


def component_month_path(component_id: int, key: str) -> str:
    """A component's page for one month: components/5/history/2026-11.html."""
    return f"components/{component_id}/history/{key}.html"


def component_link(c: ComponentSnap) -> ComponentLink:
    """A component as a page of its history names it."""
    return ComponentLink(c.id, c.name, f"components/{c.id}.html")


def maintenance_context(
    m: MaintenanceSnap, names: Mapping[int, str], now: datetime
) -> MaintenanceContext:
    """Planned work as the front page shows it."""
    active = m.status in ("in_progress", "verifying") or (
        m.status == "scheduled" and m.scheduled_for <= now < m.scheduled_until
    )
    return MaintenanceContext(
        id=m.id,
        title=m.title,
        body=m.body,
        status=m.status,
        status_label=MAINTENANCE_STATUS_LABELS.get(m.status, status_label(m.status)),
        scheduled_for=m.scheduled_for,
        scheduled_until=m.scheduled_until,
        components=tuple(sorted(names[c] for c in m.component_ids if c in names)),
        active=active,
    )


def maintenance_lists(
    snapshot: Snapshot, now: datetime
) -> tuple[tuple[MaintenanceContext, ...], tuple[MaintenanceContext, ...]]:
    """(active, upcoming) maintenance, each soonest first."""
    names = {c.id: c.name for c in snapshot.components}
    active, upcoming = [], []
    for m in sorted(snapshot.maintenances, key=lambda m: (m.scheduled_for, m.id)):
        if (
            m.status == "completed"
            or m.scheduled_until <= now
            and (m.status == "scheduled")
        ):
            continue
        item = maintenance_context(m, names, now)
        (active if item.active else upcoming).append(item)
    return tuple(active), tuple(upcoming)


def page_context(path: str, site: SiteContext, **extra: Any) -> dict[str, Any]:
    """The variables every template gets, plus `extra`."""
    # Links are relative so the site works from any folder, host or file://.
    root = "../" * path.count("/")
    canonical = ""
    if site.public_url:
        canonical = f"{site.public_url}/{'' if path == 'index.html' else path}"
    context = {
        "site": site,
        "root": root,
        "page_path": path,
        "canonical_url": canonical,
        "feeds": extra.pop("feeds", ()),
    }
    return context | extra
