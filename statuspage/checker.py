"""The checkpoint checker: overdue and due-soon incidents, and the alerts they raise.

`check()` reads only open incidents and each one's latest update (an index on
incident status and one on (incident_id, published_at) keep that cheap however many
closed incidents there are); the judging is the pure ledger's. `notify()` sends each
alert once per promise and kind: the unique (update_id, kind) row in `alert` is
inserted before anything is sent, so two app instances and a cron job running at the
same moment send it once between them.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import click
import requests
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from requests.adapters import HTTPAdapter
from sqlmodel import Session, select
from urllib3.util.retry import Retry

from . import checkpoints as cp
from .db import get_engine, session_scope
from .models import OPEN_STATUSES, Alert, Incident, IncidentRole, Update, utcnow
from .notify import smtp

WEBHOOK_TIMEOUT = (3.05, 10)  # connect, read (seconds)
WEBHOOK_RETRIES = 3
WEBHOOK_BACKOFF = 0.2  # seconds, doubling; the first retry is immediate


@dataclass
class Item:
    """An open incident whose promised update is overdue or due soon."""

    incident_id: int
    title: str
    severity: str
    status: str
    update_id: int
    promise: cp.Promise
    now: datetime
    commander: dict[str, str] | None = None
    comms_lead: dict[str, str] | None = None

    @property
    def minutes_overdue(self) -> int:
        """Whole minutes since the promised time."""
        return max(0, math.floor(cp.minutes(self.now - self.promise.due)))

    @property
    def minutes_until_due(self) -> int:
        """Whole minutes left until the promised time (negative within the grace)."""
        return math.ceil(cp.minutes(self.promise.due - self.now))

    def to_dict(self, overdue: bool) -> dict[str, Any]:
        """The item as `statuspage check --json` prints it."""
        out: dict[str, Any] = {
            "incident_id": self.incident_id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "update_id": self.update_id,
            "promised_at": _iso(self.promise.due),
            "deadline": _iso(self.promise.deadline),
        }
        if overdue:
            out["minutes_overdue"] = self.minutes_overdue
        else:
            out["minutes_until_due"] = self.minutes_until_due
        out["commander"] = self.commander
        out["comms_lead"] = self.comms_lead
        return out


@dataclass
class CheckResult:
    """What one check found."""

    checked_at: datetime
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as `statuspage check --json` prints it."""
        return {
            "checked_at": _iso(self.checked_at),
            "overdue": [i.to_dict(True) for i in self.overdue],
            "due_soon": [i.to_dict(False) for i in self.due_soon],
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _minutes(settings: Mapping[str, Any], name: str) -> timedelta:
    return timedelta(minutes=float(settings.get(name) or 0))


@dataclass(frozen=True)
class _Latest:
    id: int
    status: str
    published_at: datetime
    next_update_at: datetime | None


def check(session: Session, settings: Mapping[str, Any], now: datetime) -> CheckResult:
    """Open incidents that are overdue or due within REMINDER_LEAD, at `now`."""
    grace = _minutes(settings, "CHECKPOINT_GRACE")
    lead = _minutes(settings, "REMINDER_LEAD")
    latest_id = (
        select(Update.id)
        .where(Update.incident_id == Incident.id)
        .where(Update.published_at <= now)
        .order_by(Update.published_at.desc(), Update.id.desc())  # type: ignore[union-attr,attr-defined]
        .limit(1)
        .correlate(Incident)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(  # type: ignore[call-overload]
            Incident.id,
            Incident.title,
            Incident.severity,
            Incident.status,
            Update.id,
            Update.status,
            Update.published_at,
            Update.next_update_at,
        )
        .join(Update, Update.id == latest_id)  # type: ignore[arg-type]
        .where(Incident.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
        .where(Update.next_update_at.is_not(None))  # type: ignore[union-attr]
        .order_by(Update.next_update_at, Incident.id)  # type: ignore[arg-type]
    ).all()
    result = CheckResult(checked_at=now)
    for inc_id, title, severity, status, upd_id, u_status, published, due in rows:
        latest = _Latest(upd_id, u_status, published, due)
        promise = cp.open_promise([latest], now, grace)
        if promise is None:
            continue
        item = Item(inc_id, title, severity, status, upd_id, promise, now)
        if promise.overdue:
            result.overdue.append(item)
        elif lead > timedelta(0) and now >= promise.due - lead:
            result.due_soon.append(item)
    _add_roles(session, result.overdue + result.due_soon)
    return result


def _add_roles(session: Session, items: list[Item]) -> None:
    if not items:
        return
    by_id = {i.incident_id: i for i in items}
    rows = session.exec(
        select(IncidentRole)
        .where(IncidentRole.incident_id.in_(by_id))  # type: ignore[attr-defined]
        .where(IncidentRole.role.in_(("commander", "comms_lead")))  # type: ignore[attr-defined]
    ).all()
    for row in rows:
        person = {"name": row.name, "email": row.email}
        setattr(by_id[row.incident_id], row.role, person)


# --- alerts --------------------------------------------------------------------


def alert_kind(
    promise: cp.Promise, now: datetime, lead: timedelta, every: timedelta
) -> str | None:
    """The alert a promise calls for at `now`: reminder, overdue, escalation-N."""
    if promise.state == cp.PENDING:
        if lead > timedelta(0) and now >= promise.due - lead:
            return "reminder"
        return None
    if not promise.overdue:
        return None
    # Only the latest step is sent: a checker that was down does not replay the
    # reminders and escalations it missed.
    steps = (now - promise.deadline) // every if every > timedelta(0) else 0
    return "overdue" if steps == 0 else f"escalation-{steps}"


@dataclass
class Sent:
    """One alert this process claimed, and how its sending went."""

    incident_id: int
    kind: str
    channels: list[str]
    errors: list[str]


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def message_text(item: Item, kind: str, settings: Mapping[str, Any]) -> str:
    """The alert's text, the same for email and the webhook."""
    name = f'#{item.incident_id} "{item.title}" ({item.severity})'
    due = _when(item.promise.due)
    if kind == "reminder":
        left = item.minutes_until_due
        head = (
            f"Reminder: the next public update on {name} is due at {due}, "
            f"in {left} min."
        )
    elif kind == "overdue":
        head = (
            f"Overdue: customers were promised the next update on {name} by {due}; "
            f"it is {item.minutes_overdue} min late."
        )
    else:
        head = (
            f"Still overdue: the update promised on {name} by {due} is "
            f"{item.minutes_overdue} min late."
        )
    lines = [head]
    for role, label in (("comms_lead", "Comms lead"), ("commander", "Commander")):
        holder = getattr(item, role)
        if holder:
            lines.append(f"{label}: {holder['name'] or holder['email']}")
    base = (settings.get("COMPOSER_URL") or "").rstrip("/")
    if base:
        lines.append(f"Write it: {base}/admin/incidents/{item.incident_id}/updates/new")
    return "\n".join(lines)


def _recipients(item: Item) -> list[str]:
    out: list[str] = []
    for holder in (item.comms_lead, item.commander):
        if holder and holder["email"] and holder["email"] not in out:
            out.append(holder["email"])
    return out


def _email(item: Item, kind: str, text: str, settings: Mapping[str, Any]) -> None:
    message = EmailMessage()
    message["From"] = smtp.sender(settings)
    message["To"] = ", ".join(_recipients(item))
    label = {"reminder": "Update due"}.get(kind, "Update overdue")
    message["Subject"] = (
        f"[{settings.get('PAGE_NAME') or 'Status'}] {label}: "
        f"#{item.incident_id} {item.title}"
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text + "\n")
    smtp.send(settings, message)


def webhook_session() -> requests.Session:
    """A requests session that retries refused connections and 429/5xx answers."""
    retry = Retry(
        total=WEBHOOK_RETRIES,
        backoff_factor=WEBHOOK_BACKOFF,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,  # POST too: a duplicate chat line beats a lost alert
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def post_webhook(url: str, text: str) -> None:
    """Post {"text": ...} to a Slack-compatible incoming webhook; raise on failure."""
    with webhook_session() as http:
        response = http.post(url, json={"text": text}, timeout=WEBHOOK_TIMEOUT)
    if response.status_code >= 400:
        raise RuntimeError(
            f"webhook answered {response.status_code}: {response.text[:200]}"
        )


LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8... minutes between retries of a failed channel, at most 30.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


def _claim(url: str, item: Item, kind: str, now: datetime) -> int | None:
    # Its own short transaction, committed before anything is sent: the unique
    # (update_id, kind) decides which checker sends the first attempt; after a
    # failure, a conditional UPDATE decides which checker retries.
    with Session(get_engine(url), expire_on_commit=False) as session:
        alert = Alert(
            incident_id=item.incident_id,
            update_id=item.update_id,
            kind=kind,
            created_at=now,
            attempts=1,
            lease_until=now + LEASE,
        )
        session.add(alert)
        try:
            session.commit()
            return alert.id
        except sa.exc.IntegrityError:
            session.rollback()
        table = Alert.__table__  # type: ignore[attr-defined]
        claimed = session.execute(
            table.update()
            .where(table.c.update_id == item.update_id)
            .where(table.c.kind == kind)
            .where(table.c.sent_at.is_(None))
            .where(table.c.attempts < MAX_ATTEMPTS)
            .where(sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now))
            .values(attempts=table.c.attempts + 1, lease_until=now + LEASE)
            .returning(table.c.id)
        ).first()
        session.commit()
        return None if claimed is None else int(claimed[0])


def notify(result: CheckResult, settings: Mapping[str, Any]) -> list[Sent]:
    """Send the reminders and alerts the result calls for, each once; return them."""
    url = settings["DATABASE_URL"]
    lead = _minutes(settings, "REMINDER_LEAD")
    every = _minutes(settings, "ESCALATE_EVERY")
    now = result.checked_at
    out: list[Sent] = []
    for item in result.overdue + result.due_soon:
        kind = alert_kind(item.promise, now, lead, every)
        if kind is None:
            continue
        alert_id = _claim(url, item, kind, now)
        if alert_id is None:
            continue
        out.append(_deliver(url, alert_id, item, kind, settings, now))
    return out


def _deliver(
    url: str,
    alert_id: int,
    item: Item,
    kind: str,
    settings: Mapping[str, Any],
    now: datetime,
) -> Sent:
    text = message_text(item, kind, settings)
    sent = Sent(item.incident_id, kind, [], [])
    with Session(get_engine(url)) as session:
        row = session.get(Alert, alert_id)
        assert row is not None
        done = {c for c in row.channels_done.split(",") if c}
    wanted = []
    if _recipients(item):
        wanted.append("email")
    else:
        sent.errors.append("email: no commander or comms lead with an email address")
    webhook = settings.get("SLACK_WEBHOOK_URL") or ""
    if webhook:
        wanted.append("webhook")
    for channel in wanted:
        if channel in done:
            continue
        try:
            if channel == "email":
                _email(item, kind, text, settings)
            else:
                post_webhook(webhook, text)
        except (
            OSError,
            smtp.smtplib.SMTPException,
            ValueError,
            requests.RequestException,
            RuntimeError,
        ) as exc:
            sent.errors.append(f"{channel}: {exc}")
            continue
        sent.channels.append(channel)
        done.add(channel)
    with Session(get_engine(url)) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.channels_done = ",".join(sorted(done))
        if wanted and all(c in done for c in wanted):
            alert.sent_at = utcnow()
            alert.lease_until = None
        elif wanted:
            # Hold the lease through the backoff; the next check after it retries.
            alert.lease_until = now + _backoff(alert.attempts)
        alert.last_error = "; ".join(sent.errors)[:1000]
        session.add(alert)
        session.commit()
    return sent


def run_once(
    settings: Mapping[str, Any], now: datetime
) -> tuple[CheckResult, list[Sent]]:
    """Check and send what is due: the in-app job and `check --notify`."""
    with session_scope(settings["DATABASE_URL"]) as session:
        result = check(session, settings, now)
    return result, notify(result, settings)


# --- the command and the in-app job -------------------------------------------


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date and time", param_hint="--now"
        ) from exc
    if moment.tzinfo is None:
        raise click.BadParameter(
            "give a time zone offset, e.g. 2026-11-26T16:45:00Z", param_hint="--now"
        )
    return moment.astimezone(UTC)


def _holders(item: Item) -> str:
    parts = []
    for role, label in (("commander", "commander"), ("comms_lead", "comms lead")):
        holder = getattr(item, role)
        if holder:
            who = holder["name"] or holder["email"]
            if holder["name"] and holder["email"]:
                who = f"{holder['name']} <{holder['email']}>"
            parts.append(f"{label} {who}")
    return "; " + ", ".join(parts) if parts else "; no commander or comms lead set"


def print_result(result: CheckResult) -> None:
    """The result for a person to read."""
    click.echo(f"Checked at {result.checked_at:%Y-%m-%d %H:%M:%S} UTC.")
    for item in result.overdue:
        click.echo(
            f"OVERDUE  #{item.incident_id} {item.title} ({item.severity}): next "
            f"update promised by {_when(item.promise.due)}, "
            f"{item.minutes_overdue} min overdue{_holders(item)}"
        )
    for item in result.due_soon:
        left = item.minutes_until_due
        when = f"due in {left} min" if left > 0 else "due now"
        click.echo(
            f"DUE SOON #{item.incident_id} {item.title} ({item.severity}): next "
            f"update promised by {_when(item.promise.due)}, {when}{_holders(item)}"
        )
    if not result.overdue:
        click.echo("No open incident is overdue.")


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--now",
    "now_text",
    metavar="ISO8601",
    default=None,
    help="Check as of this time (default: the clock).",
)
@click.option(
    "--notify",
    is_flag=True,
    help="Send the due reminders and alerts (email, webhook), each once.",
)
@with_appcontext
def check_command(as_json: bool, now_text: str | None, notify: bool) -> None:
    """List overdue and due-soon incidents; exit 1 when any update is overdue."""
    from .cli import _require_schema

    moment = _parse_now(now_text) or _clock(current_app)
    settings = current_app.config
    try:
        _require_schema()
        if notify:
            result, sent = run_once(settings, moment)
        else:
            with session_scope(settings["DATABASE_URL"]) as session:
                result = check(session, settings, moment)
            sent = []
    except click.ClickException as exc:
        raise CheckFailed(exc.message) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise CheckFailed(f"The check could not run: {exc.__class__.__name__}") from exc
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print_result(result)
    for s in sent:
        channels = ", ".join(s.channels) or "nothing"
        click.echo(f"Sent {s.kind} for #{s.incident_id} by {channels}.", err=True)
        for error in s.errors:
            click.echo(f"  failed: {error}", err=True)
    sys.exit(1 if result.overdue else 0)


class CheckFailed(click.ClickException):
    """The check could not run: exit 2, since 1 means "overdue" to cron and CI."""

    exit_code = 2


def _clock(app: Flask) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else utcnow()


def _interval(app: Flask) -> float:
    return float(app.config.get("CHECK_INTERVAL") or 0)


def _job(app: Flask) -> None:
    from .db import SchemaBehind, check_schema

    try:
        check_schema(app.config["DATABASE_URL"])
    except SchemaBehind:
        return  # the app answers 503 until `statuspage db upgrade`; nothing to check
    _result, sent = run_once(app.config, _clock(app))
    for s in sent:
        app.logger.info("checkpoint %s for incident %s sent", s.kind, s.incident_id)
        for error in s.errors:
            app.logger.warning("checkpoint alert failed: %s", error)


def init_app(app: Flask) -> None:
    """Run the check (with alerts) every CHECK_INTERVAL seconds inside the app."""
    from . import background

    background.register(app, "checkpoints", _interval, _job)
