"""`statuspage report`: the promise ledger's figures per incident and in total."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from . import checkpoints as cp
from .db import session_scope
from .models import Incident, Update, utcnow


@dataclass(frozen=True)
class Row:
    """The fields of an update the ledger reads."""

    id: int
    status: str
    published_at: datetime
    next_update_at: datetime | None


def grace_of(settings: Mapping[str, Any]) -> timedelta:
    """CHECKPOINT_GRACE as a duration."""
    return timedelta(minutes=float(settings.get("CHECKPOINT_GRACE") or 0))


def ledger(
    session: Session, incident: Incident, now: datetime, grace: timedelta
) -> tuple[list[cp.Promise], cp.Summary]:
    """One incident's promises and figures at `now`."""
    rows = _updates(session, [incident.id or 0])[incident.id or 0]
    return cp.promises(rows, now, grace), cp.summarize(
        rows, now, grace, incident.declared_at
    )


def _updates(session: Session, ids: list[int]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        result = session.execute(
            sa.select(  # type: ignore[call-overload]
                Update.incident_id,
                Update.id,
                Update.status,
                Update.published_at,
                Update.next_update_at,
            )
            .where(Update.incident_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(Update.incident_id, Update.published_at, Update.id)  # type: ignore[arg-type]
        )
        for incident_id, *fields in result:
            out[incident_id].append(Row(*fields))
    return out


def build_report(
    session: Session,
    settings: Mapping[str, Any],
    now: datetime,
    incident_id: int | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """The report as JSON-ready data: one entry per incident, and the total."""
    grace = grace_of(settings)
    query = sa.select(  # type: ignore[call-overload]
        Incident.id,
        Incident.title,
        Incident.severity,
        Incident.status,
        Incident.declared_at,
    ).order_by(Incident.declared_at, Incident.id)  # type: ignore[arg-type]
    if incident_id is not None:
        query = query.where(Incident.id == incident_id)
    if since is not None:
        query = query.where(Incident.declared_at >= since)
    incidents = session.execute(query).all()
    updates = _updates(session, [row[0] for row in incidents])
    entries = []
    for iid, title, severity, status, declared_at in incidents:
        summary = cp.summarize(updates[iid], now, grace, declared_at)
        entries.append(
            {
                "id": iid,
                "title": title,
                "severity": severity,
                "status": status,
                "declared_at": declared_at.astimezone(UTC).isoformat(),
                **summary.to_dict(),
            }
        )
    total = cp.summarize_many(
        ((updates[row[0]], row[4]) for row in incidents), now, grace
    )
    return {
        "generated_at": now.astimezone(UTC).isoformat(),
        "grace_minutes": grace.total_seconds() / 60,
        "incidents": entries,
        "total": {"incidents": len(entries), **total.to_dict()},
    }


def _fmt(value: Any, unit: str = " min") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}{unit}"
    return str(value)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def figure_lines(s: Mapping[str, Any]) -> list[str]:
    """The figures of one summary as lines for a person."""
    return [
        f"updates published {s['updates']}, promises made {s['promises']}: "
        f"kept {s['kept']}, broken {s['broken']}, pending {s['pending']}; "
        f"updates without a promise {s['without_promise']}",
        f"on time {_rate(s['on_time_rate'])}; lateness median "
        f"{_fmt(s['median_lateness'])}, worst {_fmt(s['worst_lateness'])}; "
        f"first update after {_fmt(s['first_update_after'])}; median interval "
        f"{_fmt(s['median_interval'])}",
    ]


def parse_since(value: str | None) -> datetime | None:
    """--since: a date (midnight UTC) or an ISO 8601 time with an offset."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(
                datetime.fromisoformat(value).date(), time(), tzinfo=UTC
            )
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or ISO 8601 time",
            param_hint="--since",
        ) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@click.command("report")
@click.option("--incident", "incident_id", type=int, default=None, help="One incident.")
@click.option(
    "--since",
    metavar="DATE",
    default=None,
    help="Incidents declared on or after this date (YYYY-MM-DD, UTC).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def report_command(incident_id: int | None, since: str | None, as_json: bool) -> None:
    """The promise ledger: kept, broken and pending promises, per incident and total."""
    from .cli import _require_schema

    since_at = parse_since(since)
    _require_schema()
    clock = current_app.config.get("CLOCK")
    now = clock() if clock else utcnow()
    with session_scope(current_app.config["DATABASE_URL"]) as session:
        if incident_id is not None and session.get(Incident, incident_id) is None:
            raise click.ClickException(f"No incident {incident_id}.")
        data = build_report(
            session, current_app.config, now, incident_id=incident_id, since=since_at
        )
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for entry in data["incidents"]:
        click.echo(
            f"#{entry['id']} {entry['title']} ({entry['severity']}, {entry['status']})"
        )
        for line in figure_lines(entry):
            click.echo(f"  {line}")
    total = data["total"]
    click.echo(f"Total over {total['incidents']} incident(s):")
    for line in figure_lines(total):
        click.echo(f"  {line}")
