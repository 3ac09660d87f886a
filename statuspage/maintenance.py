"""Scheduled maintenance: planned work, announced ahead, shown on the public site.

The composer has no screen for it yet: `statuspage maintenance add` and
`POST /api/v1/maintenances` create one; `advance` starts and completes windows on
time (inside the app every CHECK_INTERVAL seconds, or `statuspage maintenance tick`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

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


def advance(session: Session, now: datetime) -> list[Maintenance]:
    """Start windows whose time has come and complete those that have ended.

    Starting sets the covered components that are operational to
    under_maintenance; completing sets those still under_maintenance back to
    operational (unless another window still covers them). Each change queues a
    notice to subscribers in the same transaction. Returns the windows changed.
    """
    from .notify.outbox import queue_maintenance

    changed: list[Maintenance] = []
    windows = session.exec(
        select(Maintenance).where(
            Maintenance.status.in_(("scheduled", "in_progress", "verifying"))  # type: ignore[attr-defined]
        )
    ).all()
    for window in windows:
        if window.status == "scheduled" and window.scheduled_for <= now:
            new = "completed" if window.scheduled_until <= now else "in_progress"
        elif window.status != "scheduled" and window.scheduled_until <= now:
            new = "completed"
        else:
            continue
        window.status = new
        window.updated_at = now
        session.add(window)
        changed.append(window)
    session.flush()
    active = {
        link.component_id
        for window in session.exec(
            select(Maintenance).where(
                Maintenance.status.in_(("in_progress", "verifying"))  # type: ignore[attr-defined]
            )
        ).all()
        for link in session.exec(
            select(MaintenanceComponent).where(
                MaintenanceComponent.maintenance_id == window.id
            )
        ).all()
    }
    for window in changed:
        links = session.exec(
            select(MaintenanceComponent).where(
                MaintenanceComponent.maintenance_id == window.id
            )
        ).all()
        for link in links:
            component = session.get(Component, link.component_id)
            assert component is not None
            if window.status == "in_progress" and component.status == "operational":
                component.status = "under_maintenance"
            elif (
                window.status == "completed"
                and component.status == "under_maintenance"
                and component.id not in active
            ):
                component.status = "operational"
            else:
                continue
            component.updated_at = now
            session.add(component)
        queue_maintenance(session, window, now)
    session.flush()
    return changed


def tick(settings: Any, now: datetime) -> list[int]:
    """Advance maintenance windows and rebuild the site if any changed."""
    from .db import session_scope
    from .render import build

    url = settings["DATABASE_URL"]
    with session_scope(url) as session:
        changed = [w.id for w in advance(session, now) if w.id is not None]
    if changed:
        with session_scope(url) as session:
            build(session, settings, now=now)
    return changed


def init_app(app: Any) -> None:
    """Advance maintenance windows inside the app, with the checkpoint checks."""
    from . import background

    def _interval(app: Any) -> float:
        return float(app.config.get("CHECK_INTERVAL") or 0)

    def _run(app: Any) -> None:
        clock = app.config.get("CLOCK")
        tick(app.config, clock() if clock else datetime.now(UTC))

    background.register(app, "maintenance", _interval, _run)


maintenance_group = click.Group("maintenance", help="Scheduled maintenance.")


@maintenance_group.command("tick")
@click.option("--now", "now_text", default=None, help="ISO 8601 time (default: now).")
@with_appcontext
def maintenance_tick(now_text: str | None) -> None:
    """Start and complete maintenance windows whose time has come (for cron)."""
    try:
        now = parse_time(now_text) if now_text else datetime.now(UTC)
    except MaintenanceError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from exc
    changed = tick(current_app.config, now)
    click.echo(f"{len(changed)} maintenance window(s) changed.")


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
