"""Scheduled maintenance: planned work, announced ahead, shown on the public site.

The composer has no screen for it yet: `statuspage maintenance add` and
`POST /api/v1/maintenances` create one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from .models import Component, Maintenance, MaintenanceComponent

MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")


class MaintenanceError(ValueError):
    """Input that cannot make a maintenance window."""


def parse_time(value: str) -> datetime:
    """An ISO 8601 time with an offset (or Z), as aware UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise MaintenanceError(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-01T02:00Z"
        ) from exc
    if moment.tzinfo is None:
        raise MaintenanceError(f"{value!r} needs a time zone, e.g. a final Z for UTC")
    return moment.astimezone(UTC)


def add_maintenance(
    session: Session,
    *,
    title: str,
    starts: datetime,
    ends: datetime,
    components: Iterable[str] = (),
    body: str = "",
    status: str = "scheduled",
    now: datetime,
) -> Maintenance:
    """Create a maintenance window over the named components."""
    if not title.strip():
        raise MaintenanceError("A maintenance needs a title.")
    if ends <= starts:
        raise MaintenanceError("The window must end after it starts.")
    if status not in MAINTENANCE_STATUSES:
        raise MaintenanceError(
            f"status {status!r} is not one of {', '.join(MAINTENANCE_STATUSES)}"
        )
    by_name = {c.name: c for c in session.exec(select(Component)).all()}
    chosen = []
    for name in components:
        component = by_name.get(name.strip())
        if component is None:
            known = ", ".join(sorted(by_name)) or "none yet"
            raise MaintenanceError(f"Unknown component {name!r}. Known: {known}.")
        chosen.append(component)
    maintenance = Maintenance(
        title=title.strip(),
        body=body.strip(),
        status=status,
        scheduled_for=starts,
        scheduled_until=ends,
        created_at=now,
        updated_at=now,
    )
    session.add(maintenance)
    session.flush()
    assert maintenance.id is not None
    for component in {c.id: c for c in chosen}.values():
        assert component.id is not None
        session.add(
            MaintenanceComponent(
                maintenance_id=maintenance.id, component_id=component.id
            )
        )
    session.flush()
    # Subscribers hear about it in the same transaction (the outbox), like updates.
    from .notify.outbox import queue_maintenance

    queue_maintenance(session, maintenance, now)
    return maintenance


maintenance_group = click.Group("maintenance", help="Scheduled maintenance.")


@maintenance_group.command("add")
@click.argument("title")
@click.option("--starts", required=True, help="Start, ISO 8601: 2026-12-01T02:00Z")
@click.option("--ends", required=True, help="End, ISO 8601: 2026-12-01T04:00Z")
@click.option(
    "--component", "components", multiple=True, help="A component it covers (repeat)."
)
@click.option("--body", default="", help="Details, Markdown.")
@click.option(
    "--status",
    type=click.Choice(MAINTENANCE_STATUSES),
    default="scheduled",
    show_default=True,
)
@click.option("--no-build", is_flag=True, help="Do not rebuild the public site.")
@with_appcontext
def maintenance_add(
    title: str,
    starts: str,
    ends: str,
    components: tuple[str, ...],
    body: str,
    status: str,
    no_build: bool,
) -> None:
    """Schedule maintenance and rebuild the public site."""
    from .db import session_scope
    from .models import utcnow
    from .render import build

    url = current_app.config["DATABASE_URL"]
    try:
        with session_scope(url) as session:
            maintenance = add_maintenance(
                session,
                title=title,
                starts=parse_time(starts),
                ends=parse_time(ends),
                components=components,
                body=body,
                status=status,
                now=utcnow(),
            )
            ident = maintenance.id
    except MaintenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Scheduled maintenance #{ident}: {title}")
    if not no_build:
        with session_scope(url) as session:
            result = build(session, current_app.config, now=utcnow())
        click.echo(f"Public site rebuilt ({result.rendered} files rendered).")
