"""Uptime: a component's status over the last days, from the updates that set it.

A component's status history is the status changes its updates announced (at their
publication time), starting from the first change's old status when it was created.
Outage minutes are minutes in partial_outage or major_outage; minutes inside one of
the component's maintenance windows never count as downtime.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from .snapshot import ComponentSnap, MaintenanceSnap, StatusChange

OUTAGE = ("partial_outage", "major_outage")
RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}
NO_DATA = "no_data"


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


Day = tuple[date, str, int]
# The days before today, by everything they depend on: a publish recomputes today
# only (the past changes only with a new status change or window, or at midnight).
_PAST: dict[tuple[object, ...], list[Day]] = {}


def day_statuses(
    component: ComponentSnap,
    changes: Sequence[StatusChange],
    windows: Iterable[tuple[datetime, datetime]],
    now: datetime,
    days: int = 90,
) -> list[Day]:
    """(day, worst status, outage minutes) for each of the last `days` UTC days."""
    now = now.astimezone(UTC)
    planned = tuple(sorted(windows))
    if days < 2:
        return _days(component, changes, planned, now, days)
    today = datetime.combine(now.date(), time(), UTC)
    key = (
        component.id,
        component.created_at,
        component.status if not changes else None,
        tuple(changes),
        planned,
        now.date(),
        days,
    )
    past = _PAST.get(key)
    if past is None:
        # The days before today, as seen at midnight: what happens later leaves
        # them alone.
        past = _days(component, changes, planned, today, days)[:-1]
        if len(_PAST) > 256:
            _PAST.clear()
        _PAST[key] = past
    return [*past, *_days(component, changes, planned, now, 1)]


def _days(
    component: ComponentSnap,
    changes: Sequence[StatusChange],
    windows: Iterable[tuple[datetime, datetime]],
    now: datetime,
    days: int,
) -> list[Day]:
    start_status = changes[0].old_status if changes else component.status
    born = component.created_at or (changes[0].at if changes else now)
    segments: list[tuple[datetime, datetime, str]] = []
    moment, status = born, start_status
    for change in changes:
        if change.at > moment:
            segments.append((moment, change.at, status))
        moment = max(moment, change.at)
        status = change.new_status
    if now > moment:
        segments.append((moment, now, status))
    planned = sorted(windows)
    today = now.date()
    out: list[tuple[date, str, int]] = []
    first = today - timedelta(days=days - 1)
    # Only the segments that reach into the window matter.
    window_start = datetime.combine(first, time(), UTC)
    segments = [s for s in segments if s[1] > window_start]
    # Segments follow each other, so their ends only grow: a day need not look at
    # those that ended before it (`lo` moves forward, never back).
    lo = 0
    for n in range(days):
        day = first + timedelta(days=n)
        d0 = datetime.combine(day, time(), UTC)
        d1 = min(d0 + timedelta(days=1), now)
        if d1 <= born or d1 <= d0:
            out.append((day, NO_DATA, 0))
            continue
        worst, outage = "operational", 0.0
        while lo < len(segments) and segments[lo][1] <= d0:
            lo += 1
        for s0, s1, st in segments[lo:]:
            if s0 >= d1:
                break
            seconds = _overlap(s0, s1, d0, d1)
            if seconds <= 0:
                continue
            if RANK.get(st, 0) > RANK.get(worst, 0):
                worst = st
            if st in OUTAGE:
                excused = sum(
                    _overlap(max(s0, d0), min(s1, d1), w0, w1) for w0, w1 in planned
                )
                outage += max(0.0, seconds - excused)
        out.append((day, worst, int(outage // 60)))
    return out


def uptime_percent(days: Sequence[tuple[date, str, int]], now: datetime) -> str:
    """Uptime over the days with data, as text: '99.98%' ('' without data)."""
    observed = 0
    for day, status, _minutes in days:
        if status == NO_DATA:
            continue
        observed += (
            now.astimezone(UTC).hour * 60 + now.astimezone(UTC).minute
            if day == now.astimezone(UTC).date()
            else 1440
        )
    down = sum(m for _d, s, m in days if s != NO_DATA)
    if observed <= 0:
        return ""  # no day with data yet
    value = max(0.0, 100.0 * (observed - down) / observed)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def windows_for(
    component_id: int, maintenances: Iterable[MaintenanceSnap]
) -> list[tuple[datetime, datetime]]:
    """The maintenance windows that cover a component."""
    return [
        (m.scheduled_for, m.scheduled_until)
        for m in maintenances
        if component_id in m.component_ids
    ]
