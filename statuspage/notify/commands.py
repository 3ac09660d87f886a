"""`statuspage worker` and `statuspage digest`, and the in-process mail jobs."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..models import utcnow


def _settings() -> Any:
    return current_app.config


@click.command("worker")
@click.option("--drain", is_flag=True, help="Send everything due now, then exit.")
@click.option(
    "--connections", type=int, default=None, help="Default: SMTP_CONNECTIONS."
)
@with_appcontext
def worker_command(drain: bool, connections: int | None) -> None:
    """Send queued email (subscriber notifications, confirmations, digests)."""
    from ..cli import _require_schema
    from ..db import session_scope
    from .worker import Worker, next_retry

    _require_schema()
    worker = Worker(_settings(), connections=connections)
    if drain:
        summary = worker.drain()
    else:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"Sending queued email over {worker.connections} connection(s).")
        summary = worker.serve(stop)
    click.echo(
        f"Sent {summary.sent}, retrying later {summary.retrying}, "
        f"failed {summary.failed}, skipped {summary.skipped}."
    )
    with session_scope(_settings()["DATABASE_URL"]) as session:
        due = next_retry(session)
    if drain and due is not None:
        click.echo(f"Next retry due at {due.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC.")


@click.command("digest")
@click.option("--period", type=click.Choice(("daily", "weekly")), required=True)
@click.option(
    "--now",
    "now_text",
    default=None,
    help="ISO 8601 time to act as now (default: the current time).",
)
@with_appcontext
def digest_command(period: str, now_text: str | None) -> None:
    """Queue the last complete day's or week's digest for digest subscribers."""
    from ..cli import _require_schema
    from ..db import session_scope
    from .digest import period_for, queue_digests

    _require_schema()
    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from exc
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    with session_scope(_settings()["DATABASE_URL"]) as session:
        queued = queue_digests(session, _settings(), period, now)
    click.echo(
        f"Queued {queued} {period} digest(s) for {period_for(period, now).key}; "
        "`statuspage worker` sends them."
    )


def _clock(app: Flask) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else utcnow()


def _schema_ready(app: Flask) -> bool:
    # Before `statuspage db upgrade` there is no outbox: wait quietly.
    if app.extensions.get("statuspage_schema_ok"):
        return True
    from ..db import SchemaBehind, check_schema

    try:
        check_schema(app.config["DATABASE_URL"])
    except SchemaBehind:
        return False
    return True


def send_now(app: Flask) -> None:
    """A background job: drain the outbox (the in-process worker)."""
    from .worker import Worker

    if _schema_ready(app):
        Worker(app.config).drain()


def housekeeping(app: Flask) -> None:
    """A background job: confirmation reminders and the digest schedule."""
    from ..db import session_scope
    from ..subscriptions import remind_unconfirmed
    from ..throttle import prune
    from .digest import queue_digests

    if not _schema_ready(app):
        return
    now = _clock(app)
    with session_scope(app.config["DATABASE_URL"]) as session:
        remind_unconfirmed(session, now)
        for period in ("daily", "weekly"):
            queue_digests(session, app.config, period, now)
    prune(app.config["DATABASE_URL"], now - timedelta(days=1))


def init_app(app: Flask) -> None:
    """Register the mail worker and digest schedule as background jobs."""
    from .. import background

    def worker_interval(a: Flask) -> float:
        if not a.config.get("WORKER_IN_PROCESS"):
            return 0
        return float(a.config.get("MAIL_POLL_INTERVAL") or 2.0)

    background.register(app, "mail-worker", worker_interval, send_now)
    background.register(app, "mail-housekeeping", lambda a: 300.0, housekeeping)
