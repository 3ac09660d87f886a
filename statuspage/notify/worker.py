"""The delivery worker: claim due outbox rows, send them over SMTP, record results.

Claims take a lease (`state = sending`, `lease_until`); a killed worker's rows
become claimable again when the lease ends. On PostgreSQL claims use
`SELECT ... FOR UPDATE SKIP LOCKED`, so several workers share the queue; on SQLite
one claimer at a time holds the write lock (`BEGIN IMMEDIATE`). A message can only
be sent twice if the worker dies after the server accepted it and before the row
was marked sent: at most one claimed batch per connection.
"""

from __future__ import annotations

import logging
import random
import smtplib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ..db import get_engine
from ..models import Delivery, Subscriber, Update, utcnow
from ..subscriptions import CONFIRM_TTL, confirm_code
from . import messages, smtp

log = logging.getLogger(__name__)

BACKOFF_BASE = 30.0  # seconds before the first retry
BACKOFF_CAP = 3600.0


class TemporaryFailure(Exception):
    """Try again later: 4xx, a dropped connection, a timeout."""


class PermanentFailure(Exception):
    """The server refused for good (5xx)."""


class ConnectionLost(TemporaryFailure):
    """The connection is unusable; reconnect before the next message."""


@dataclass
class Summary:
    """What a worker run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, other: Summary) -> None:
        """Add another summary's counts to this one."""
        with self.lock:
            self.sent += other.sent
            self.retrying += other.retrying
            self.failed += other.failed
            self.skipped += other.skipped


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min... up to an hour."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * (rng or random).uniform(0.5, 1.0))


def classify(exc: BaseException) -> Exception:
    """Map an smtplib or socket error to a temporary or permanent failure."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (450, b""))
        return _by_code(int(code), text)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        # Our configuration, not the recipient: never held against the address.
        return TemporaryFailure(f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ConnectionLost(f"connection lost: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, OSError | smtplib.SMTPException):
        return ConnectionLost(f"{type(exc).__name__}: {exc}")
    return TemporaryFailure(f"{type(exc).__name__}: {exc}")


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _by_code(code: int, text: Any) -> Exception:
    message = f"{code} {_text(text)}"
    return PermanentFailure(message) if 500 <= code < 600 else TemporaryFailure(message)


def claim(session: Session, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Lease up to `limit` due deliveries to this caller; returns their ids."""
    due = (
        select(Delivery.id)
        .where(
            sa.or_(
                sa.and_(Delivery.state == "pending", Delivery.next_attempt_at <= now),  # type: ignore[arg-type]
                sa.and_(Delivery.state == "sending", Delivery.lease_until < now),  # type: ignore[arg-type, operator]
            )
        )
        .order_by(Delivery.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        due = due.with_for_update(skip_locked=True)
    else:
        # One claimer at a time: take SQLite's write lock before reading.
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    stmt = (
        sa.update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))  # type: ignore[union-attr]
        .values(
            state="sending",
            lease_until=now + lease,
            attempts=Delivery.attempts + 1,
        )
        .returning(Delivery.id)  # type: ignore[call-overload]
    )
    ids = sorted(session.execute(stmt).scalars().all())
    session.commit()
    return ids


class _Slot:
    """One SMTP connection, opened lazily and reopened after it breaks."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def send(self, sender: str, to: str, data: bytes) -> None:
        try:
            if self.conn is None:
                self.conn = smtp.connect(self.settings)
            self.conn.sendmail(sender, [to], data)
        except Exception as exc:
            failure = classify(exc)
            if isinstance(failure, ConnectionLost):
                self.close()
            raise failure from exc

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # already gone
                pass
            self.conn = None


class Worker:
    """Sends the outbox over SMTP_CONNECTIONS connections in parallel."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        clock: Callable[[], datetime] | None = None,
        connections: int | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or settings.get("CLOCK") or utcnow
        self.connections = max(1, int(connections or settings["SMTP_CONNECTIONS"]))
        self.engine = get_engine(settings["DATABASE_URL"])
        self.batch = int(settings.get("MAIL_BATCH_SIZE") or 100)
        self.lease = timedelta(seconds=int(settings.get("MAIL_LEASE") or 300))
        self.max_age = timedelta(seconds=int(settings.get("MAIL_MAX_AGE") or 86400))
        self.suppress_after = int(settings.get("MAIL_SUPPRESS_AFTER") or 3)
        self.sender = str(settings.get("MAIL_FROM") or "")
        self._rendered: dict[int, messages.RenderedUpdate] = {}
        self._render_lock = threading.Lock()

    # --- one batch -------------------------------------------------------------

    def run_batch(self, slot: _Slot) -> Summary:
        """Claim one batch, send it on `slot`, record the outcome of each row."""
        summary = Summary()
        with Session(self.engine, expire_on_commit=False) as session:
            now = self.clock()
            ids = claim(session, now, self.batch, self.lease)
            if not ids:
                return summary
            rows = session.exec(
                select(Delivery, Subscriber)
                .join(Subscriber, Subscriber.id == Delivery.subscriber_id)  # type: ignore[arg-type]
                .where(Delivery.id.in_(ids))  # type: ignore[union-attr]
                .order_by(Delivery.id)  # type: ignore[arg-type]
            ).all()
            roots = self._thread_roots(session, rows)
            sent: list[dict[str, Any]] = []
            outcomes: list[tuple[Delivery, Subscriber, Exception | None, str]] = []
            for delivery, subscriber in rows:
                reason = self._skip_reason(delivery, subscriber)
                if reason:
                    outcomes.append((delivery, subscriber, None, reason))
                    continue
                try:
                    mid, data = self._message(session, delivery, subscriber, roots)
                except Exception as exc:  # a broken template must not lose the row
                    log.exception("rendering delivery %s failed", delivery.id)
                    outcomes.append(
                        (delivery, subscriber, TemporaryFailure(str(exc)), "")
                    )
                    continue
                try:
                    slot.send(self.sender, subscriber.email, data)
                except (TemporaryFailure, PermanentFailure) as failure:
                    outcomes.append((delivery, subscriber, failure, ""))
                    continue
                sent.append({"b_id": delivery.id, "b_mid": mid})
                outcomes.append((delivery, subscriber, None, ""))
            self._record(session, outcomes, sent, summary)
        return summary

    def _skip_reason(self, delivery: Delivery, subscriber: Subscriber) -> str:
        if subscriber.suppressed_at is not None:
            return "address suppressed"
        if delivery.kind in ("confirm",):
            return "already confirmed" if _active(subscriber) else ""
        if subscriber.unsubscribed_at is not None:
            return "unsubscribed"
        if subscriber.confirmed_at is None:
            return "not confirmed"
        return ""

    def _thread_roots(self, session: Session, rows: Any) -> dict[tuple[int, int], str]:
        # Each subscriber's first message about an incident starts the thread.
        wanted: dict[int, set[int]] = {}
        for delivery, _subscriber in rows:
            if delivery.kind == "update" and delivery.update_id:
                rendered = self._render(session, delivery.update_id)
                wanted.setdefault(rendered.incident_id, set()).add(
                    delivery.subscriber_id
                )
        roots: dict[tuple[int, int], str] = {}
        for incident_id, subscriber_ids in wanted.items():
            firsts = session.execute(
                select(Delivery.subscriber_id, sa.func.min(Update.id))
                .join(Update, Update.id == Delivery.update_id)  # type: ignore[arg-type]
                .where(Update.incident_id == incident_id)
                .where(Delivery.kind == "update")
                .where(Delivery.subscriber_id.in_(subscriber_ids))  # type: ignore[attr-defined]
                .group_by(Delivery.subscriber_id)  # type: ignore[arg-type]
            ).all()
            guids: dict[int, str] = dict(
                session.execute(
                    select(Update.id, Update.guid).where(
                        Update.id.in_({f for _s, f in firsts})  # type: ignore[union-attr]
                    )
                ).all()
            )
            for subscriber_id, first in firsts:
                uid = guids[first].rsplit(":", 1)[-1]
                roots[(incident_id, subscriber_id)] = messages.message_id(
                    self.settings, uid, subscriber_id
                )
        return roots

    def _render(self, session: Session, update_id: int) -> messages.RenderedUpdate:
        rendered = self._rendered.get(update_id)
        if rendered is None:
            with self._render_lock:
                rendered = self._rendered.get(update_id)
                if rendered is None:
                    rendered = messages.render_update(session, self.settings, update_id)
                    if len(self._rendered) > 64:
                        self._rendered.clear()
                    self._rendered[update_id] = rendered
        return rendered

    def _message(
        self,
        session: Session,
        delivery: Delivery,
        subscriber: Subscriber,
        roots: dict[tuple[int, int], str],
    ) -> tuple[str, bytes]:
        now = self.clock()
        assert subscriber.id is not None
        if delivery.kind == "update" and delivery.update_id:
            rendered = self._render(session, delivery.update_id)
            return messages.update_message(
                self.settings,
                rendered,
                subscriber_id=subscriber.id,
                email=subscriber.email,
                token=subscriber.token,
                thread_root=roots.get((rendered.incident_id, subscriber.id)),
                date=now,
            )
        page = str(self.settings.get("PAGE_NAME") or "Status")
        if delivery.kind == "confirm":
            expires = delivery.created_at + CONFIRM_TTL
            code = confirm_code(str(self.settings["SECRET_KEY"]), subscriber, expires)
            reminder = bool(
                subscriber.reminder_sent_at
                and delivery.created_at >= subscriber.reminder_sent_at
            )
            return messages.simple_message(
                self.settings,
                "confirm",
                subscriber,
                subject=f"{'Reminder: c' if reminder else 'C'}onfirm your "
                f"subscription to {page}",
                date=now,
                key=delivery.dedupe_key,
                confirm_url=f"{messages.app_url(self.settings)}/subscribe/confirm/"
                f"{code}",
                expires_at=expires,
                reminder=reminder,
            )
        if delivery.kind == "manage":
            return messages.simple_message(
                self.settings,
                "manage",
                subscriber,
                subject=f"Your subscription to {page}",
                date=now,
                key=delivery.dedupe_key,
            )
        if delivery.kind == "maintenance" and delivery.maintenance_id:
            return messages.maintenance_message(
                session, self.settings, delivery, subscriber, now
            )
        if delivery.kind == "digest":
            from .digest import digest_message

            return digest_message(session, self.settings, delivery, subscriber, now)
        raise PermanentFailure(f"unknown delivery kind {delivery.kind!r}")

    # --- results ---------------------------------------------------------------

    def _record(
        self,
        session: Session,
        outcomes: list[tuple[Delivery, Subscriber, Exception | None, str]],
        sent: list[dict[str, Any]],
        summary: Summary,
    ) -> None:
        now = self.clock()
        table = Delivery.__table__  # type: ignore[attr-defined]
        if sent:
            session.execute(
                table.update()
                .where(table.c.id == sa.bindparam("b_id"))
                .values(
                    state="sent",
                    sent_at=now,
                    lease_until=None,
                    last_error="",
                    message_id=sa.bindparam("b_mid"),
                ),
                sent,
            )
            summary.sent += len(sent)
        sent_ids = {row["b_id"] for row in sent}
        good_subscribers = set()
        for delivery, subscriber, failure, skip in outcomes:
            if delivery.id in sent_ids:
                good_subscribers.add(subscriber.id)
                continue
            if skip:
                self._finish(session, delivery, "failed", f"skipped: {skip}")
                summary.skipped += 1
            elif isinstance(failure, PermanentFailure):
                self._finish(session, delivery, "failed", str(failure))
                self._hard_failure(session, subscriber, now)
                summary.failed += 1
            else:
                retry_at = now + backoff(delivery.attempts)
                if retry_at - delivery.created_at > self.max_age:
                    self._finish(
                        session,
                        delivery,
                        "failed",
                        f"gave up after {delivery.attempts} attempts: {failure}",
                    )
                    summary.failed += 1
                else:
                    delivery.state = "pending"
                    delivery.next_attempt_at = retry_at
                    delivery.lease_until = None
                    delivery.last_error = str(failure)[:1000]
                    session.add(delivery)
                    summary.retrying += 1
        if good_subscribers:
            session.execute(
                sa.update(Subscriber)
                .where(Subscriber.id.in_(good_subscribers))  # type: ignore[union-attr]
                .where(Subscriber.hard_failures > 0)  # type: ignore[arg-type]
                .values(hard_failures=0)
            )
        session.commit()

    def _finish(
        self, session: Session, delivery: Delivery, state: str, error: str
    ) -> None:
        delivery.state = state
        delivery.lease_until = None
        delivery.last_error = error[:1000]
        session.add(delivery)

    def _hard_failure(
        self, session: Session, subscriber: Subscriber, now: datetime
    ) -> None:
        subscriber.hard_failures += 1
        if subscriber.hard_failures >= self.suppress_after:
            subscriber.suppressed_at = subscriber.suppressed_at or now
        session.add(subscriber)

    # --- loops -----------------------------------------------------------------

    def _loop(
        self, summary: Summary, stop: threading.Event | None, poll: float
    ) -> None:
        slot = _Slot(self.settings)
        try:
            while stop is None or not stop.is_set():
                try:
                    done = self.run_batch(slot)
                except Exception as exc:  # the database is down, or the schema behind
                    if stop is None:
                        self._errors.append(exc)
                        return
                    log.exception("mail worker batch failed; retrying after a pause")
                    stop.wait(poll)
                    continue
                summary.add(done)
                if done.sent + done.retrying + done.failed + done.skipped == 0:
                    if stop is None:
                        return  # drained
                    stop.wait(poll)
        finally:
            slot.close()

    def drain(self) -> Summary:
        """Send everything due now, over parallel connections, and return."""
        summary = Summary()
        self._run_threads(summary, None, 0.0)
        return summary

    def serve(self, stop: threading.Event) -> Summary:
        """Keep sending until `stop` is set; idle connections poll the outbox."""
        summary = Summary()
        poll = float(self.settings.get("MAIL_POLL_INTERVAL") or 2.0)
        self._run_threads(summary, stop, poll)
        return summary

    def _run_threads(
        self, summary: Summary, stop: threading.Event | None, poll: float
    ) -> None:
        threads = [
            threading.Thread(
                target=self._loop,
                args=(summary, stop, poll),
                name=f"statuspage-mail-{n}",
                daemon=True,
            )
            for n in range(self.connections)
        ]
        self._errors: list[Exception] = []
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self._errors:
            raise self._errors[0]


def _active(subscriber: Subscriber) -> bool:
    return subscriber.confirmed_at is not None and subscriber.unsubscribed_at is None


def next_retry(session: Session) -> datetime | None:
    """When the earliest delivery waiting for a retry is due."""
    return session.exec(
        select(sa.func.min(Delivery.next_attempt_at)).where(Delivery.state == "pending")
    ).one()
