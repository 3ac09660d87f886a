"""The reader stage: reads of the database into plain, frozen dataclasses.

Nothing past this module sees an ORM object, so the later stages are pure functions
of a `Snapshot` and cannot lazy-load, flush or be surprised by a detached instance.

Two reads: `read_base` (every row a listing needs: components, incident rows,
status changes, maintenance; cheap even for 10,000 incidents) and `read_updates`
(the updates of the incidents whose pages are rendered). A full build reads all
updates; an incremental one only those it needs. Rows are read with column selects,
not ORM objects, because a full build reads tens of thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentComponent,
    Maintenance,
    MaintenanceComponent,
    Update,
    UpdateComponent,
    UTCDateTime,
)
from .snaps import (
    AffectedSnap,
    Base,
    ChangeSnap,
    ComponentSnap,
    GroupSnap,
    IncidentRow,
    IncidentSnap,
    MaintenanceSnap,
    Snapshot,
    StatusChange,
    UpdateSnap,
)


def _t(value: object) -> datetime | None:
    """A stored time as aware UTC (SQLite gives naive UTC text, PostgreSQL aware)."""
    if value is None:
        return None
    if isinstance(value, str):
        # Appending the offset is ~9x faster than parsing and then .replace().
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # a text that already carries an offset
            return datetime.fromisoformat(value).astimezone(UTC)
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _raw(column: sa.ColumnElement) -> sa.ColumnElement:  # type: ignore[type-arg]
    # Times come back untyped and `_t` converts them: SQLAlchemy's per-value
    # processing of tens of thousands of times costs more than the query itself.
    if isinstance(getattr(column, "type", None), UTCDateTime):
        return sa.type_coerce(column, sa.String()).label(column.name)  # type: ignore[attr-defined]
    return column


def _select(*columns: sa.ColumnElement) -> sa.Select:  # type: ignore[type-arg]
    expanded: list[sa.ColumnElement] = []  # type: ignore[type-arg]
    for c in columns:
        expanded += list(c.columns) if isinstance(c, sa.Table) else [c]  # type: ignore[arg-type]
    return sa.select(*(_raw(c) for c in expanded))


def _rows(session: Session, statement: sa.Select) -> list[sa.Row]:  # type: ignore[type-arg]
    # fetchall(): one call into the driver instead of one per row.
    return list(session.connection().execute(statement).fetchall())


def _tuples(session: Session, statement: sa.Select) -> list[tuple[Any, ...]]:  # type: ignore[type-arg]
    """The rows as the driver returns them, with no per-value processing at all:
    only for columns of plain values (times come back as `_t` expects them)."""
    result = session.connection().execute(statement)
    try:
        rows = result.cursor.fetchall()  # type: ignore[attr-defined]
    finally:
        result.close()
    if rows and type(rows[0]) is not tuple:
        rows = [tuple(r) for r in rows]
    return rows


# Incident rows and snapshots already read in this process, with the component
# names they were made with. A row is reused while its incident's `change_token`
# is the one it was read with: every ORM write that changes what an incident's
# pages show sets a new token (`db._new_change_tokens`), so a publish reads the
# tokens of every incident (as one string) and the full rows of one or two.
_SNAPS: dict[int, tuple[str, IncidentSnap]] = {}
_SNAPS_NAMES: dict[int, str] = {}
# More stale rows than this: read every row in one statement instead of by id.
REREAD_ALL = 2000
# Keep the snapshots of a build that read at most this many (not a full build's).
SNAP_CACHE_MAX = 2000
_CHUNK = 500  # bound parameters per IN (...): SQLite allows a limited number


def forget() -> None:
    """Drop the rows and snapshots kept between builds (the next read is full)."""
    global _KNOWN, _SNAPS, _CHANGES
    _KNOWN, _SNAPS, _CHANGES = None, {}, None


def read_base(session: Session, changes_since: datetime | None = None) -> Base:
    """Read components, incident rows, status changes and maintenance.

    `changes_since` limits the status changes to those from that time on (the
    uptime bars need no older ones: a change records the status it replaced).
    """
    g, c = ComponentGroup.__table__, Component.__table__  # type: ignore[attr-defined]
    m, mc = Maintenance.__table__, MaintenanceComponent.__table__  # type: ignore[attr-defined]
    groups = tuple(
        GroupSnap(r.id, r.name, r.description, r.position, _t(r.created_at))
        for r in _rows(session, _select(g).order_by(g.c.id))
    )
    components = tuple(
        ComponentSnap(
            id=r.id,
            name=r.name,
            description=r.description,
            group_id=r.group_id,
            position=r.position,
            status=r.status,
            showcase=bool(r.showcase),
            only_show_if_degraded=bool(r.only_show_if_degraded),
            updated_at=_t(r.updated_at),  # type: ignore[arg-type]
            created_at=_t(r.created_at),
        )
        for r in _rows(session, _select(c).order_by(c.c.id))
    )
    rows, reread = _incident_rows(session, {x.id: x.name for x in components})
    changes = _status_changes(session, changes_since, reread)
    planned: dict[int, list[int]] = {}
    for r in _rows(
        session, _select(mc).order_by(mc.c.maintenance_id, mc.c.component_id)
    ):
        planned.setdefault(r.maintenance_id, []).append(r.component_id)
    maintenances = tuple(
        MaintenanceSnap(
            id=r.id,
            title=r.title,
            body=r.body,
            status=r.status,
            scheduled_for=_t(r.scheduled_for),  # type: ignore[arg-type]
            scheduled_until=_t(r.scheduled_until),  # type: ignore[arg-type]
            created_at=_t(r.created_at),  # type: ignore[arg-type]
            updated_at=_t(r.updated_at),  # type: ignore[arg-type]
            guid=r.guid,
            component_ids=tuple(planned.get(r.id, ())),
        )
        for r in _rows(session, _select(m).order_by(m.c.id))
    )
    return Base(groups, components, rows, changes, maintenances)


@dataclass
class _Changes:
    """The status changes of the last read, by incident, and the window start
    they were read from."""

    since: datetime
    by_incident: dict[int, list[tuple[tuple[Any, ...], StatusChange]]]


_CHANGES: _Changes | None = None
# Read every change again once the window has moved this far (dropping old ones).
CHANGES_REREAD = timedelta(days=7)


def _status_changes(
    session: Session, since: datetime | None, reread: list[int] | None
) -> tuple[StatusChange, ...]:
    """Component status changes (from `since` on), oldest first.

    They belong to published updates, which never change, and every new one comes
    with a new token on its incident: after the first read, only the changes of
    the incidents in `reread` (those whose token moved) are read again.
    """
    global _CHANGES
    known = _CHANGES
    if (
        since is None
        or reread is None
        or known is None
        or since < known.since
        or since - known.since > CHANGES_REREAD
    ):
        by_incident = _read_changes(session, since, None)
        if since is None:
            known = _CHANGES = None  # a full history's worth: not kept
        else:
            known = _CHANGES = _Changes(since, by_incident)
    else:
        for n in range(0, len(reread), _CHUNK):
            chunk = reread[n : n + _CHUNK]
            fresh = _read_changes(session, known.since, chunk)
            for incident_id in chunk:
                if incident_id in fresh:
                    known.by_incident[incident_id] = fresh[incident_id]
                else:
                    known.by_incident.pop(incident_id, None)
        by_incident = known.by_incident
    found = [
        item
        for items in by_incident.values()
        for item in items
        if since is None or item[1].at >= since
    ]
    found.sort(key=lambda item: item[0])
    return tuple(change for _key, change in found)


def _read_changes(
    session: Session, since: datetime | None, ids: list[int] | None
) -> dict[int, list[tuple[tuple[Any, ...], StatusChange]]]:
    """(sort key, change) of the incidents `ids` (None: all), by incident."""
    u, uc = Update.__table__, UpdateComponent.__table__  # type: ignore[attr-defined]
    statement = _select(
        u.c.incident_id,
        uc.c.component_id,
        u.c.published_at,
        uc.c.old_status,
        uc.c.new_status,
        u.c.id,
    ).join(u, u.c.id == uc.c.update_id)
    if ids is not None:
        # By incident (its index), the window in Python: a few rows each.
        statement = statement.where(u.c.incident_id.in_(ids))
    elif since is not None:
        statement = statement.where(u.c.published_at >= since)
    out: dict[int, list[tuple[tuple[Any, ...], StatusChange]]] = {}
    for incident_id, component_id, at, old, new, update_id in _tuples(
        session, statement
    ):
        when = _t(at)
        if since is not None and when < since:  # type: ignore[operator]
            continue
        change = StatusChange(component_id, when, old, new)  # type: ignore[arg-type]
        out.setdefault(incident_id, []).append(
            ((when, update_id, component_id), change)
        )
    return out


@dataclass
class _Known:
    """The incident rows of the last read, and the tokens they were read with."""

    names: dict[int, str]  # component names the rows were made with
    tokens: set[str]  # the change_token of every incident then
    rows: tuple[IncidentRow, ...]  # in id order
    index: dict[int, int]  # incident id -> position in rows


_KNOWN: _Known | None = None


def _tokens(session: Session) -> set[str]:
    """Every incident's change_token: one string from the index on them, much
    cheaper than ten thousand rows."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        sql = "SELECT group_concat(change_token, ',') FROM incident"
    elif dialect == "postgresql":
        sql = "SELECT string_agg(change_token, ',') FROM incident"
    else:  # pragma: no cover - any other database: the plain way
        i = Incident.__table__  # type: ignore[attr-defined]
        return {t for (t,) in _tuples(session, sa.select(i.c.change_token))}
    text = session.connection().exec_driver_sql(sql).scalar()
    return set(text.split(",")) if text else set()


def _ids_of(session: Session, tokens: list[str]) -> list[int]:
    """The incidents that have these tokens now, in id order."""
    i = Incident.__table__  # type: ignore[attr-defined]
    ids: list[int] = []
    for n in range(0, len(tokens), _CHUNK):
        chunk = tokens[n : n + _CHUNK]
        statement = sa.select(i.c.id).where(i.c.change_token.in_(chunk))
        ids += [incident_id for (incident_id,) in _tuples(session, statement)]
    return sorted(ids)


def _incident_rows(
    session: Session, names: dict[int, str]
) -> tuple[tuple[IncidentRow, ...], list[int] | None]:
    """Every incident row, in id order, re-reading only those whose token is new;
    and the ids of those (None: every row was read)."""
    global _KNOWN
    current = _tokens(session)
    known = _KNOWN if _KNOWN is not None and _KNOWN.names == names else None
    rows: list[IncidentRow] | None = None
    ids: list[int] | None = None
    if known is not None:
        stale = current - known.tokens
        ids = _ids_of(session, sorted(stale)) if len(stale) <= REREAD_ALL else None
    if known is not None and ids is not None:
        read: dict[int, IncidentRow] = {}
        for n in range(0, len(ids), _CHUNK):
            read.update(_read_rows(session, names, ids[n : n + _CHUNK]))
        last = known.rows[-1].id if known.rows else 0
        added = [i for i in ids if i not in known.index]
        # A row read after the tokens is at least as new: it is kept, and if its
        # token moved meanwhile it is read again next time. New incidents have
        # the highest ids; anything else (one removed, a race) means a full read.
        if (
            len(current) == len(known.rows) + len(added)
            and all(i > last for i in added)
            and all(i in read for i in ids)
        ):
            rows = list(known.rows)
            for i in ids:
                if i in known.index:
                    rows[known.index[i]] = read[i]
            rows += [read[i] for i in added]
            index = dict(known.index) if added else known.index
            for n, i in enumerate(added):
                index[i] = len(known.rows) + n
    if rows is None:  # the first read, or one that cannot be patched
        ids = None
        everything = _read_rows(session, names, None)
        rows = [everything[i] for i in sorted(everything)]
        index = {r.id: n for n, r in enumerate(rows)}
    _KNOWN = _Known(dict(names), current, tuple(rows), index)
    return _KNOWN.rows, ids


def _read_rows(
    session: Session, names: dict[int, str], ids: list[int] | None
) -> dict[int, IncidentRow]:
    """The incident rows `ids` (None: all), with update counts and affected
    components. The row, with its token, is read first: what is read after it can
    only be newer, and a newer change comes with a new token, read next time."""
    i, ic, u = (
        Incident.__table__,  # type: ignore[attr-defined]
        IncidentComponent.__table__,  # type: ignore[attr-defined]
        Update.__table__,  # type: ignore[attr-defined]
    )
    counts = sa.select(
        u.c.incident_id,
        sa.func.count(u.c.id).label("n"),
        sa.func.max(u.c.id).label("last_id"),
        sa.func.max(u.c.published_at).label("last_at"),
    ).group_by(u.c.incident_id)
    affected_query = sa.select(ic.c.incident_id, ic.c.component_id, ic.c.status)
    if ids is not None:
        counts = counts.where(u.c.incident_id.in_(ids))
        affected_query = affected_query.where(ic.c.incident_id.in_(ids))
    sub = counts.subquery()
    statement = (
        sa.select(
            i.c.id,
            i.c.title,
            i.c.severity,
            i.c.status,
            i.c.declared_at,
            i.c.resolved_at,
            i.c.updated_at,
            sa.func.coalesce(sub.c.n, 0),
            sa.func.coalesce(sub.c.last_id, 0),
            sub.c.last_at,
            i.c.change_token,
        )
        .outerjoin(sub, sub.c.incident_id == i.c.id)
        .order_by(i.c.id)
    )
    if ids is not None:
        statement = statement.where(i.c.id.in_(ids))
    raw_rows = _tuples(session, statement)
    affected: dict[int, list[AffectedSnap]] = {}
    snaps: dict[tuple[int, str, str], AffectedSnap] = {}
    for incident_id, component_id, status in _tuples(
        session, affected_query.order_by(ic.c.incident_id, ic.c.component_id)
    ):
        key = (component_id, names.get(component_id, ""), status)
        snap = snaps.get(key)
        if snap is None:
            snap = snaps[key] = AffectedSnap(*key)
        affected.setdefault(incident_id, []).append(snap)
    out = {}
    for r in raw_rows:
        # Positional, in field order.
        out[r[0]] = IncidentRow(
            r[0],
            r[1],
            r[2],
            r[3],
            _t(r[4]),  # type: ignore[arg-type]
            _t(r[5]),
            _t(r[6]),  # type: ignore[arg-type]
            tuple(affected.get(r[0], ())),
            r[7],
            r[8],
            _t(r[9]),
            r[10],
        )
    return out


def read_updates(
    session: Session, base: Base, incident_ids: Iterable[int] | None = None
) -> dict[int, IncidentSnap]:
    """The incidents `incident_ids` (default: all) with their updates, by id.

    Snapshots read for an earlier build are reused while the incident's row has
    the token they were read with (published updates never change)."""
    global _SNAPS, _SNAPS_NAMES
    names = {c.id: c.name for c in base.components}
    if incident_ids is None:
        return _read_updates(session, base, names, None)
    wanted = sorted(set(incident_ids))
    if not wanted:
        return {}
    by_id = base.by_id
    cache = _SNAPS if _SNAPS_NAMES == names else {}
    kept: dict[int, IncidentSnap] = {}
    missing = []
    for incident_id in wanted:
        row, known = by_id.get(incident_id), cache.get(incident_id)
        if row is not None and known is not None and known[0] == row.token:
            kept[incident_id] = known[1]
        else:
            missing.append(incident_id)
    read = _read_updates(session, base, names, missing) if missing else {}
    out = {
        i: kept[i] if i in kept else read[i] for i in wanted if i in kept or i in read
    }
    if len(wanted) <= SNAP_CACHE_MAX:
        # Kept with those of earlier builds: the next build may need others (a
        # component's feed), and reusing the very same objects lets the render
        # stage reuse what it made from them.
        mine = {i: (by_id[i].token, snap) for i, snap in out.items()}
        if cache is _SNAPS and len(cache) + len(mine) <= SNAP_CACHE_MAX:
            _SNAPS = {**cache, **mine}
        else:
            _SNAPS = mine
        _SNAPS_NAMES = names
    return out


def _read_updates(
    session: Session,
    base: Base,
    names: dict[int, str],
    wanted: list[int] | None,
) -> dict[int, IncidentSnap]:
    u, uc = Update.__table__, UpdateComponent.__table__  # type: ignore[attr-defined]
    # Plain tuples straight from the driver (a full build reads ~45,000 updates at
    # 10,000 incidents): columns in UpdateSnap's field order, times as stored.
    query = _select(
        u.c.id,
        u.c.incident_id,
        u.c.status,
        u.c.current_impact,
        u.c.current_action,
        u.c.user_action,
        u.c.next_update_at,
        u.c.body,
        u.c.published_at,
        u.c.guid,
    ).order_by(u.c.published_at, u.c.id)
    change_query = sa.select(
        uc.c.update_id, uc.c.component_id, uc.c.old_status, uc.c.new_status
    ).order_by(uc.c.update_id, uc.c.component_id)
    if wanted is not None:
        chunks = [wanted[n : n + _CHUNK] for n in range(0, len(wanted), _CHUNK)]
    else:
        chunks = [None]  # type: ignore[list-item]
    update_rows: list[tuple[Any, ...]] = []
    change_rows: list[tuple[Any, ...]] = []
    for chunk in chunks:
        if chunk is None:
            update_rows += _tuples(session, query)
            change_rows += _tuples(session, change_query)
        else:
            update_rows += _tuples(session, query.where(u.c.incident_id.in_(chunk)))
            change_rows += _tuples(
                session,
                change_query.join(u, u.c.id == uc.c.update_id).where(
                    u.c.incident_id.in_(chunk)
                ),
            )
    if wanted is not None and len(chunks) > 1:
        update_rows.sort(key=lambda r: (_t(r[8]), r[0]))
    changes: dict[int, list[ChangeSnap]] = {}
    made: dict[tuple[Any, ...], ChangeSnap] = {}
    for update_id, component_id, old_status, new_status in change_rows:
        key = (component_id, old_status, new_status)
        snap = made.get(key)
        if snap is None:
            snap = made[key] = ChangeSnap(
                component_id, names.get(component_id, ""), old_status, new_status
            )
        changes.setdefault(update_id, []).append(snap)  # by component id already
    updates: dict[int, list[UpdateSnap]] = {}
    no_changes: tuple[ChangeSnap, ...] = ()
    # Ordered by publication (id breaks ties) so "latest" is simply the last one.
    for r in update_rows:
        found = changes.get(r[0])
        snap_u = UpdateSnap(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            _t(r[6]),
            r[7],
            _t(r[8]),  # type: ignore[arg-type]
            r[9],
            no_changes if found is None else tuple(found),
        )
        mine = updates.get(r[1])
        if mine is None:
            updates[r[1]] = [snap_u]
        else:
            mine.append(snap_u)
    by_id = base.by_id
    rows = base.rows if wanted is None else [by_id[i] for i in wanted if i in by_id]
    return {
        row.id: IncidentSnap(
            id=row.id,
            title=row.title,
            severity=row.severity,
            status=row.status,
            declared_at=row.declared_at,
            resolved_at=row.resolved_at,
            updated_at=row.updated_at,
            affected=row.affected,
            updates=tuple(updates.get(row.id, ())),
        )
        for row in rows
    }


def snapshot_of(base: Base, loaded: dict[int, IncidentSnap]) -> Snapshot:
    """A `Snapshot` from the cheap read and the incidents read in full."""
    return Snapshot(
        groups=base.groups,
        components=base.components,
        incidents=tuple(loaded[k] for k in sorted(loaded)),
        rows=base.rows,
        changes=base.changes,
        maintenances=base.maintenances,
    )


def read_snapshot(session: Session) -> Snapshot:
    """Read every row the public site needs into a `Snapshot`."""
    base = read_base(session)
    return snapshot_of(base, read_updates(session, base))


__all__ = [
    "AffectedSnap",
    "Base",
    "ChangeSnap",
    "ComponentSnap",
    "GroupSnap",
    "IncidentRow",
    "IncidentSnap",
    "MaintenanceSnap",
    "Snapshot",
    "StatusChange",
    "UpdateSnap",
    "forget",
    "read_base",
    "read_snapshot",
    "read_updates",
    "snapshot_of",
]
