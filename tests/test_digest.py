"""Digests: one email per digest subscriber per period, for their components,
nothing for an empty period, idempotent, from `statuspage digest`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from statuspage import db
from statuspage.models import Delivery
from statuspage.notify.digest import period_for
from statuspage.notify.worker import Worker

from .test_email import add_subscriber, declare
from .test_email_sink import Sink, text_of

NEXT_DAY = "2026-11-27T06:00:00+00:00"


@pytest.fixture
def sink(app):
    server = Sink().start()
    app.config.update(server.settings())
    yield server
    server.stop()


def test_periods_are_the_last_complete_day_and_iso_week():
    now = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # a Thursday
    daily = period_for("daily", now)
    assert daily.key == "daily:2026-11-25"
    assert (daily.start, daily.end) == (
        datetime(2026, 11, 25, tzinfo=UTC),
        datetime(2026, 11, 26, tzinfo=UTC),
    )
    weekly = period_for("weekly", now)
    assert weekly.key == "weekly:2026-W47"
    assert (weekly.start, weekly.end) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
    )


@pytest.mark.both_backends
def test_digest_command_sends_each_subscriber_one_summary(app, runner, sink, now):
    add_subscriber(app, "daily@example.com", mode="daily_digest")
    add_subscriber(app, "api@example.com", mode="daily_digest", components=("API",))
    add_subscriber(app, "weekly@example.com", mode="weekly_digest")
    add_subscriber(app, "every@example.com")
    declare(app, now, title="Checkout unavailable")

    result = runner.invoke(args=["digest", "--period", "daily", "--now", NEXT_DAY])
    assert result.exit_code == 0, result.output
    assert "Queued 1 daily digest(s) for daily:2026-11-26" in result.output
    again = runner.invoke(args=["digest", "--period", "daily", "--now", NEXT_DAY])
    assert "Queued 0 daily digest(s)" in again.output  # idempotent
    app.config["CLOCK"] = lambda: now + timedelta(days=1)
    Worker(app.config).drain()

    digests = sink.to("daily@example.com")
    assert len(digests) == 1
    (mail,) = digests
    assert mail["Subject"] == (
        "Acme Status daily digest, 26 Nov 2026: 1 incident(s), 0 maintenance"
    )
    assert "Checkout unavailable [Identified]" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Only API chosen, and nothing happened to the API: nothing sent.
    assert sink.to("api@example.com") == []
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        keys = [d.dedupe_key for d in s.exec(select(Delivery)) if d.kind == "digest"]
    assert len(keys) == 1 and keys[0].startswith("digest:daily:2026-11-26:")


def test_empty_digests_only_when_configured(app, runner, sink, now):
    add_subscriber(app, "weekly@example.com", mode="weekly_digest")
    week = ["digest", "--period", "weekly", "--now", "2026-12-01T06:00:00Z"]
    result = runner.invoke(args=week)
    assert "Queued 0 weekly digest(s) for weekly:2026-W48" in result.output
    app.config["DIGEST_SEND_EMPTY"] = True
    result = runner.invoke(args=week)
    assert "Queued 1 weekly digest(s)" in result.output
    app.config["CLOCK"] = lambda: datetime(2026, 12, 1, 6, tzinfo=UTC)
    Worker(app.config).drain()
    (mail,) = sink.parsed()
    assert mail["Subject"] == (
        "Acme Status weekly digest, 23 Nov 2026: nothing to report"
    )
    assert "Nothing to report" in text_of(mail)


def test_digest_rejects_a_bad_time(runner):
    result = runner.invoke(args=["digest", "--period", "daily", "--now", "yesterday"])
    assert result.exit_code == 2
    assert "--now" in result.output
