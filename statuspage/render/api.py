"""The `api/v2/*.json` files, in Atlassian Statuspage's shapes, field names and values.

A client written for a Statuspage page must work unchanged against ours, so every
Statuspage field is present with its type and meaning; our own fields are extra keys
with their own names (`severity`, `next_update_at`, the four elements).

Contract decisions (docs/themes.md repeats them):

- ids are strings, as in Statuspage. Incidents and updates use their database ids
  ("42"), so `{page.url}/incidents/{id}` still finds the incident page; components
  use their id and groups "g<id>" (both are in `components`); maintenance "m<id>"
  (Statuspage lists maintenance as incidents, so they share one id space).
- `impact` comes from the severity: SEV-1 critical, SEV-2 major, SEV-3 minor,
  SEV-4 none; maintenance is "maintenance".
- times are ISO 8601 UTC with milliseconds, "2026-11-26T16:30:00.000Z".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .contexts import OPEN_STATUSES, OverallStatus
from .snapshot import (
    ComponentSnap,
    GroupSnap,
    IncidentSnap,
    MaintenanceSnap,
    Snapshot,
    UpdateSnap,
)

IMPACT_BY_SEVERITY = {
    "SEV-1": "critical",
    "SEV-2": "major",
    "SEV-3": "minor",
    "SEV-4": "none",
}
RECENT_INCIDENTS = 50
FILES = (
    "api/v2/summary.json",
    "api/v2/status.json",
    "api/v2/components.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
    "api/v2/scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json",
    "api/v2/scheduled-maintenances/active.json",
)


def iso(moment: datetime | None) -> str | None:
    """Statuspage's time format: 2026-11-26T16:30:00.000Z."""
    if moment is None:
        return None
    m = moment.astimezone(UTC)
    return m.strftime("%Y-%m-%dT%H:%M:%S.") + f"{m.microsecond // 1000:03d}Z"


def page_id(settings: Mapping[str, Any]) -> str:
    """PAGE_ID, or 12 characters derived from the public URL (stable across builds)."""
    configured = str(settings.get("PAGE_ID") or "")
    if configured:
        return configured
    seed = str(settings.get("PUBLIC_URL") or settings.get("PAGE_NAME") or "status")
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


def _url(settings: Mapping[str, Any]) -> str:
    return str(settings.get("PUBLIC_URL") or "").rstrip("/")


def page_json(settings: Mapping[str, Any], updated_at: datetime) -> dict[str, Any]:
    """The `page` object."""
    return {
        "id": page_id(settings),
        "name": str(settings.get("PAGE_NAME") or "Status"),
        "url": _url(settings),
        "time_zone": str(settings.get("TIME_ZONE") or "UTC"),
        "updated_at": iso(updated_at),
    }


def status_json(status: OverallStatus) -> dict[str, str]:
    """The `status` object (Statuspage also says "maintenance" during maintenance)."""
    return {"indicator": status.indicator, "description": status.description}


def component_id(component_id: int) -> str:
    """The JSON id of a component."""
    return str(component_id)


def group_id(group_id: int) -> str:
    """The JSON id of a component group (groups are components in Statuspage)."""
    return f"g{group_id}"


def _component(c: ComponentSnap, position: int, pid: str, groups: set[int]) -> dict:  # type: ignore[type-arg]
    return {
        "id": component_id(c.id),
        "name": c.name,
        "status": c.status,
        "created_at": iso(c.created_at or c.updated_at),
        "updated_at": iso(c.updated_at),
        "position": position,
        "description": c.description or None,
        "showcase": c.showcase,
        "start_date": (c.created_at or c.updated_at).astimezone(UTC).date().isoformat(),
        "group_id": group_id(c.group_id) if c.group_id in groups else None,
        "page_id": pid,
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def components_json(snapshot: Snapshot, pid: str) -> list[dict[str, Any]]:
    """Every component and group in display order, positions counted from 1."""
    known = {g.id for g in snapshot.groups}

    def order(items: Iterable[ComponentSnap]) -> list[ComponentSnap]:
        return sorted(items, key=lambda c: (c.position, c.name, c.id))

    out: list[dict[str, Any]] = []
    for c in order(x for x in snapshot.components if x.group_id not in known):
        out.append(_component(c, len(out) + 1, pid, known))
    for g in sorted(snapshot.groups, key=lambda g: (g.position, g.name, g.id)):
        members = order(x for x in snapshot.components if x.group_id == g.id)
        out.append(_group(g, members, len(out) + 1, pid))
        for c in members:
            out.append(_component(c, len(out) + 1, pid, known))
    return out


def _group(
    g: GroupSnap, members: Sequence[ComponentSnap], position: int, pid: str
) -> dict[str, Any]:
    worst = max(
        (c.status for c in members),
        key=lambda s: ("operational", "under_maintenance", "degraded_performance",
                       "partial_outage", "major_outage").index(s)
        if s in ("operational", "under_maintenance", "degraded_performance",
                 "partial_outage", "major_outage") else 0,
        default="operational",
    )  # fmt: skip
    times = [c.updated_at for c in members]
    created = g.created_at or min(times, default=None)
    return {
        "id": group_id(g.id),
        "name": g.name,
        "status": worst,
        "created_at": iso(created),
        "updated_at": iso(max(times, default=created)),
        "position": position,
        "description": g.description or None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": pid,
        "group": True,
        "only_show_if_degraded": False,
        "components": [component_id(c.id) for c in members],
    }


def update_body(u: UpdateSnap, next_label: str | None = None) -> str:
    """The four elements (and details) as readable text: Statuspage's `body`."""
    parts = []
    if u.current_impact:
        parts.append(f"Current impact: {u.current_impact}")
    if u.current_action:
        parts.append(f"What we are doing: {u.current_action}")
    if u.user_action:
        parts.append(f"What you should do: {u.user_action}")
    if next_label:
        parts.append(f"Next update by {next_label}.")
    if u.body:
        parts.append(u.body)
    return "\n\n".join(parts)


def _next_label(u: UpdateSnap) -> str | None:
    from .contexts import FINAL_STATUSES, format_hhmm, format_utc

    if u.next_update_at is None or u.status in FINAL_STATUSES:
        return None
    same_day = (
        u.next_update_at.astimezone(UTC).date() == u.published_at.astimezone(UTC).date()
    )
    return format_hhmm(u.next_update_at) if same_day else format_utc(u.next_update_at)


# Published updates never change: an update's JSON is kept by its id, with the
# snapshot it was made from (compared by value: it carries component names too).
_UPDATES: dict[int, tuple[UpdateSnap, dict[str, Any]]] = {}


def update_json(u: UpdateSnap) -> dict[str, Any]:
    """One `incident_update` (the same dict object for the same update)."""
    known = _UPDATES.get(u.id)
    if known is not None and (known[0] is u or known[0] == u):
        return known[1]
    made = _update_json(u)
    if len(_UPDATES) > 20_000:
        _UPDATES.clear()
    _UPDATES[u.id] = (u, made)
    return made


def _update_json(u: UpdateSnap) -> dict[str, Any]:
    from .contexts import FINAL_STATUSES

    promised = None if u.status in FINAL_STATUSES else u.next_update_at
    return {
        "id": str(u.id),
        "status": u.status,
        "body": update_body(u, _next_label(u)),
        "incident_id": str(u.incident_id),
        "created_at": iso(u.published_at),
        "updated_at": iso(u.published_at),
        "display_at": iso(u.published_at),
        "affected_components": [
            {
                "code": component_id(ch.component_id),
                "name": ch.component_name,
                "old_status": ch.old_status,
                "new_status": ch.new_status,
            }
            for ch in u.changes
        ]
        or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
        # Ours, under our own names:
        "current_impact": u.current_impact,
        "current_action": u.current_action,
        "user_action": u.user_action,
        "details": u.body,
        "next_update_at": iso(promised),
        "guid": u.guid,
    }


def incident_json(
    i: IncidentSnap,
    components: Mapping[int, dict[str, Any]],
    pid: str,
    url: str,
) -> dict[str, Any]:
    """One incident, its updates newest first (as Statuspage lists them)."""
    monitoring = next(
        (u.published_at for u in i.updates if u.status == "monitoring"), None
    )
    latest = i.updates[-1] if i.updates else None
    promised = None
    if latest is not None and i.status in OPEN_STATUSES:
        promised = latest.next_update_at
    return {
        "id": str(i.id),
        "name": i.title,
        "status": i.status,
        "created_at": iso(i.declared_at),
        "updated_at": iso(i.updated_at),
        "monitoring_at": iso(monitoring),
        "resolved_at": iso(i.resolved_at),
        "impact": IMPACT_BY_SEVERITY.get(i.severity, "none"),
        "shortlink": f"{url}/incidents/{i.id}.html"
        if url
        else f"incidents/{i.id}.html",
        "started_at": iso(i.declared_at),
        "page_id": pid,
        "incident_updates": [update_json(u) for u in reversed(i.updates)],
        "components": [
            components[a.component_id]
            for a in sorted(i.affected, key=lambda a: a.component_id)
            if a.component_id in components
        ],
        "reminder_intervals": None,
        # Ours:
        "severity": i.severity,
        "next_update_at": iso(promised),
    }


def maintenance_json(
    m: MaintenanceSnap,
    components: Mapping[int, dict[str, Any]],
    pid: str,
    url: str,
) -> dict[str, Any]:
    """One scheduled maintenance, shaped as Statuspage does (incident + window)."""
    mid = f"m{m.id}"
    return {
        "id": mid,
        "name": m.title,
        "status": m.status,
        "created_at": iso(m.created_at),
        "updated_at": iso(m.updated_at),
        "monitoring_at": None,
        "resolved_at": iso(m.updated_at) if m.status == "completed" else None,
        "impact": "maintenance",
        "shortlink": f"{url}/#maintenance-{m.id}" if url else f"#maintenance-{m.id}",
        "started_at": iso(m.scheduled_for),
        "page_id": pid,
        "incident_updates": [
            {
                "id": f"{mid}u",
                "status": m.status,
                "body": m.body or m.title,
                "incident_id": mid,
                "created_at": iso(m.created_at),
                "updated_at": iso(m.updated_at),
                "display_at": iso(m.created_at),
                "affected_components": [
                    {
                        "code": components[c]["id"],
                        "name": components[c]["name"],
                        "old_status": "operational",
                        "new_status": "under_maintenance",
                    }
                    for c in m.component_ids
                    if c in components
                ]
                or None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        ],
        "components": [components[c] for c in m.component_ids if c in components],
        "scheduled_for": iso(m.scheduled_for),
        "scheduled_until": iso(m.scheduled_until),
        "scheduled_remind_prior": False,
        "scheduled_auto_in_progress": False,
        "scheduled_auto_completed": False,
    }


def is_active(m: MaintenanceSnap, now: datetime) -> bool:
    """In progress (or verifying) by status, or scheduled and inside its window."""
    if m.status in ("in_progress", "verifying"):
        return True
    return m.status == "scheduled" and m.scheduled_for <= now < m.scheduled_until


def is_upcoming(m: MaintenanceSnap, now: datetime) -> bool:
    """Scheduled and not started yet."""
    return m.status == "scheduled" and now < m.scheduled_for


def recent_incident_ids(snapshot: Snapshot) -> list[int]:
    """The 50 most recently declared incidents, newest first."""
    rows = sorted(snapshot.rows, key=lambda r: (r.declared_at, r.id), reverse=True)
    return [r.id for r in rows[:RECENT_INCIDENTS]]


def unresolved_ids(snapshot: Snapshot) -> list[int]:
    """Open incidents, newest first."""
    rows = [r for r in snapshot.rows if r.status in OPEN_STATUSES]
    rows.sort(key=lambda r: (r.declared_at, r.id), reverse=True)
    return [r.id for r in rows]


def dump(value: Any) -> str:
    """Stable JSON text: keys in insertion order, UTF-8, a final newline."""
    return _compact(value) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":"))


def _array(texts: list[str]) -> str:
    return f"[{','.join(texts)}]"


def _object(**members: str) -> str:
    """`dump` of an object whose members are already JSON text (same bytes)."""
    inner = ",".join(f"{_compact(k)}:{v}" for k, v in members.items())
    return "{" + inner + "}\n"


# An incident's JSON text, by incident id, with what it was made from: the very
# snapshot object (snapshots of unchanged incidents are reused between builds),
# the JSON of its components, the page id and the URL.
_INCIDENT_TEXTS: dict[int, tuple[IncidentSnap, tuple[str, ...], str, str, str]] = {}


def _incident_text(
    i: IncidentSnap,
    components: Mapping[int, dict[str, Any]],
    texts: Mapping[int, str],
    pid: str,
    url: str,
) -> str:
    mine = tuple(texts.get(a.component_id, "") for a in i.affected)
    known = _INCIDENT_TEXTS.get(i.id)
    if known is not None and known[0] is i and known[1:4] == (mine, pid, url):
        return known[4]
    text = _compact(incident_json(i, components, pid, url))
    if len(_INCIDENT_TEXTS) > 4 * RECENT_INCIDENTS + 1000:
        _INCIDENT_TEXTS.clear()
    _INCIDENT_TEXTS[i.id] = (i, mine, pid, url, text)
    return text


def api_files(
    snapshot: Snapshot,
    loaded: Mapping[int, IncidentSnap],
    settings: Mapping[str, Any],
    status: OverallStatus,
    updated_at: datetime,
    now: datetime,
    *,
    recent: list[int] | None = None,
    unresolved: list[int] | None = None,
) -> dict[str, str]:
    """Every `api/v2` file, path -> JSON text. `recent` and `unresolved` are the
    ids of `recent_incident_ids` and `unresolved_ids`, if the caller has them."""
    pid = page_id(settings)
    url = _url(settings)
    page = page_json(settings, updated_at)
    listed = components_json(snapshot, pid)
    by_id = {int(c["id"]): c for c in listed if not c["group"]}
    texts = {cid: _compact(c) for cid, c in by_id.items()}
    # The incidents as JSON text, reused from earlier builds for the ones that did
    # not change (most of them, on a publish): the files are assembled from them.
    recent_texts = [
        _incident_text(loaded[i], by_id, texts, pid, url)
        for i in (recent_incident_ids(snapshot) if recent is None else recent)
    ]
    unresolved_texts = [
        _incident_text(loaded[i], by_id, texts, pid, url)
        for i in (unresolved_ids(snapshot) if unresolved is None else unresolved)
    ]
    ordered = sorted(snapshot.maintenances, key=lambda m: (m.scheduled_for, m.id))
    every = [maintenance_json(m, by_id, pid, url) for m in reversed(ordered)]
    upcoming = [
        maintenance_json(m, by_id, pid, url) for m in ordered if is_upcoming(m, now)
    ]
    active = [
        maintenance_json(m, by_id, pid, url) for m in ordered if is_active(m, now)
    ]
    st = status_json(status)
    page_text = _compact(page)
    return {
        "api/v2/summary.json": _object(
            page=page_text,
            components=_compact(listed),
            incidents=_array(unresolved_texts),
            scheduled_maintenances=_compact(active + upcoming),
            status=_compact(st),
        ),
        "api/v2/status.json": dump({"page": page, "status": st}),
        "api/v2/components.json": dump({"page": page, "components": listed}),
        "api/v2/incidents.json": _object(
            page=page_text, incidents=_array(recent_texts)
        ),
        "api/v2/incidents/unresolved.json": _object(
            page=page_text, incidents=_array(unresolved_texts)
        ),
        "api/v2/scheduled-maintenances.json": dump(
            {"page": page, "scheduled_maintenances": every}
        ),
        "api/v2/scheduled-maintenances/upcoming.json": dump(
            {"page": page, "scheduled_maintenances": upcoming}
        ),
        "api/v2/scheduled-maintenances/active.json": dump(
            {"page": page, "scheduled_maintenances": active}
        ),
    }
