"""Subscribers: sign-up with double opt-in, signed links, preferences, unsubscribe.

No Flask here. Every outcome of `subscribe` looks the same to the person asking
(no address probing); what differs is only which email, if any, is queued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from .models import (
    Component,
    Delivery,
    Incident,
    Subscriber,
    SubscriberComponent,
    SubscriberIncident,
)
from .notify.outbox import queue_one

MODES = ("every_update", "daily_digest", "weekly_digest")
# A subscriber who follows single incidents only (never chosen on the form).
INCIDENT_ONLY = "incident_only"
CONFIRM_TTL = timedelta(hours=48)
REMIND_AFTER = timedelta(hours=24)


class SubscribeError(ValueError):
    """The request cannot be accepted (bad address, unknown component...)."""


def normalize_email(raw: str) -> str:
    """A valid address, normalised and lower-cased, or SubscribeError."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 320:
        raise SubscribeError("Enter an email address, like name@example.com.")
    try:
        valid = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise SubscribeError(f"That email address is not valid: {exc}") from exc
    return valid.normalized.lower()


def new_token() -> str:
    """An opaque random token for preference and unsubscribe links."""
    return secrets.token_urlsafe(32)


def _mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def confirm_code(secret: str, subscriber: Subscriber, expires: datetime) -> str:
    """The signed, expiring code in a confirmation link."""
    stamp = int(expires.timestamp())
    mac = _mac(secret, f"confirm:{subscriber.id}:{stamp}:{subscriber.token}")
    return f"{subscriber.id}.{stamp}.{mac}"


def check_confirm_code(
    session: Session, secret: str, code: str, now: datetime
) -> Subscriber | None:
    """The subscriber a valid, unexpired confirmation code names, else None."""
    try:
        sid, stamp, mac = code.split(".")
        subscriber = session.get(Subscriber, int(sid))
        expires = datetime.fromtimestamp(int(stamp), UTC)
    except (ValueError, OverflowError):
        return None
    if subscriber is None:
        return None
    good = _mac(secret, f"confirm:{subscriber.id}:{stamp}:{subscriber.token}")
    if not hmac.compare_digest(good, mac) or expires < now:
        return None
    return subscriber


def resolve_components(session: Session, names: Iterable[str]) -> list[int]:
    """Component ids for names (or ids as text), or SubscribeError."""
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        return []
    everything = session.exec(select(Component)).all()
    by_key = {c.name: c.id for c in everything} | {str(c.id): c.id for c in everything}
    unknown = [n for n in wanted if n not in by_key]
    if unknown:
        raise SubscribeError(f"Unknown component: {', '.join(unknown)}.")
    return sorted({by_key[n] for n in wanted if by_key[n] is not None})  # type: ignore[misc]


def _confirmations(session: Session, subscriber_id: int) -> int:
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.subscriber_id == subscriber_id, Delivery.kind == "confirm")
        ).one()
    )


def _queue_confirmation(
    session: Session, subscriber: Subscriber, now: datetime
) -> None:
    assert subscriber.id is not None
    n = _confirmations(session, subscriber.id) + 1
    queue_one(
        session,
        key=f"confirm:{subscriber.id}:{n}",
        kind="confirm",
        subscriber_id=subscriber.id,
        now=now,
    )


def _set_components(session: Session, subscriber_id: int, ids: list[int]) -> None:
    for row in session.exec(
        select(SubscriberComponent).where(
            SubscriberComponent.subscriber_id == subscriber_id
        )
    ).all():
        session.delete(row)
    session.flush()
    for cid in ids:
        session.add(SubscriberComponent(subscriber_id=subscriber_id, component_id=cid))


@dataclass
class Request:
    """A parsed subscription request."""

    email: str
    components: list[int]
    mode: str
    incident_id: int | None = None


def parse_request(
    session: Session,
    *,
    email: str,
    components: Iterable[str],
    mode: str | None,
    incident: str | int | None = None,
) -> Request:
    """Validate the form or JSON fields, or raise SubscribeError."""
    address = normalize_email(email)
    mode = (mode or "every_update").strip()
    if mode not in MODES:
        raise SubscribeError(f"Mode must be one of {', '.join(MODES)}.")
    incident_id = None
    if incident not in (None, ""):
        try:
            incident_id = int(str(incident))
        except ValueError as exc:
            raise SubscribeError("Unknown incident.") from exc
        if session.get(Incident, incident_id) is None:
            raise SubscribeError("Unknown incident.")
    return Request(address, resolve_components(session, components), mode, incident_id)


def subscribe(session: Session, request: Request, now: datetime) -> str:
    """Record a request and queue the email it calls for; returns what happened."""
    subscriber = session.exec(
        select(Subscriber).where(Subscriber.email == request.email)
    ).first()
    if subscriber is None:
        subscriber = Subscriber(
            email=request.email,
            mode=INCIDENT_ONLY if request.incident_id else request.mode,
            token=new_token(),
            created_at=now,
            confirmation_sent_at=now,
        )
        session.add(subscriber)
        session.flush()
        assert subscriber.id is not None
        if request.incident_id:
            session.add(
                SubscriberIncident(
                    subscriber_id=subscriber.id, incident_id=request.incident_id
                )
            )
        else:
            _set_components(session, subscriber.id, request.components)
        _queue_confirmation(session, subscriber, now)
        return "new"
    assert subscriber.id is not None
    if subscriber.suppressed_at is not None:
        return "suppressed"
    active = subscriber.confirmed_at is not None and subscriber.unsubscribed_at is None
    if active:
        # Someone may be trying to change another person's subscription: change
        # nothing, send the owner their preferences link (at most once a day).
        queue_one(
            session,
            key=f"manage:{subscriber.id}:{now.date().isoformat()}",
            kind="manage",
            subscriber_id=subscriber.id,
            now=now,
        )
        return "exists"
    last = subscriber.reminder_sent_at or subscriber.confirmation_sent_at
    fresh = last is not None and now - last < CONFIRM_TTL
    if subscriber.unsubscribed_at is not None and (
        last is None or last < subscriber.unsubscribed_at
    ):
        fresh = False  # one new confirmation after each unsubscribe
    if fresh:
        return "pending"  # its confirmation link still works: send nothing more
    # A new round of double opt-in, with what this request asked for.
    if request.incident_id:
        if (
            session.get(SubscriberIncident, (subscriber.id, request.incident_id))
            is None
        ):
            session.add(
                SubscriberIncident(
                    subscriber_id=subscriber.id, incident_id=request.incident_id
                )
            )
        if subscriber.unsubscribed_at is not None or subscriber.confirmed_at is None:
            subscriber.mode = INCIDENT_ONLY
    else:
        subscriber.mode = request.mode
        _set_components(session, subscriber.id, request.components)
    subscriber.confirmation_sent_at = now
    subscriber.reminder_sent_at = None
    session.add(subscriber)
    _queue_confirmation(session, subscriber, now)
    return "restarted"


def confirm(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """Confirm a subscription (the owner opened the link and pressed the button)."""
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
        subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    session.add(subscriber)


def unsubscribe(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """Stop all email to this subscriber; idempotent."""
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now
        session.add(subscriber)
    # Nothing still queued for them may go out.
    session.execute(
        sa.update(Delivery)
        .where(Delivery.subscriber_id == subscriber.id)  # type: ignore[arg-type]
        .where(Delivery.state == "pending")  # type: ignore[arg-type]
        .where(Delivery.kind != "confirm")  # type: ignore[arg-type]
        .values(state="failed", last_error="unsubscribed")
    )


def by_token(session: Session, token: str) -> Subscriber | None:
    """The subscriber behind an opaque link token."""
    if not token or len(token) > 64:
        return None
    return session.exec(select(Subscriber).where(Subscriber.token == token)).first()


def component_ids(session: Session, subscriber_id: int) -> list[int]:
    """The components a subscriber chose (empty: everything)."""
    return sorted(
        session.exec(
            select(SubscriberComponent.component_id).where(
                SubscriberComponent.subscriber_id == subscriber_id
            )
        ).all()
    )


def save_preferences(
    session: Session, subscriber: Subscriber, *, components: list[int], mode: str
) -> None:
    """Change what a (token-holding) subscriber receives."""
    if mode not in MODES:
        raise SubscribeError(f"Mode must be one of {', '.join(MODES)}.")
    assert subscriber.id is not None
    subscriber.mode = mode
    session.add(subscriber)
    _set_components(session, subscriber.id, components)


def remind_unconfirmed(session: Session, now: datetime) -> int:
    """Queue the one reminder for sign-ups unconfirmed after a day; returns count."""
    rows = session.exec(
        select(Subscriber).where(
            Subscriber.confirmed_at.is_(None),  # type: ignore[union-attr]
            Subscriber.reminder_sent_at.is_(None),  # type: ignore[union-attr]
            Subscriber.suppressed_at.is_(None),  # type: ignore[union-attr]
            Subscriber.confirmation_sent_at <= now - REMIND_AFTER,  # type: ignore[operator]
            Subscriber.confirmation_sent_at > now - CONFIRM_TTL,  # type: ignore[operator]
        )
    ).all()
    for subscriber in rows:
        subscriber.reminder_sent_at = now
        session.add(subscriber)
        _queue_confirmation(session, subscriber, now)
    return len(rows)
