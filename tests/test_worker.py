"""The delivery worker against a real SMTP server: retries, permanent failures,
suppression, leases, parallel claims, and a worker killed mid-batch."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from statuspage import db
from statuspage.models import Delivery, Subscriber, utcnow
from statuspage.notify.outbox import queue_one
from statuspage.notify.worker import Worker, claim

from .test_email import add_subscriber, add_update, declare
from .test_email_sink import Sink


@pytest.fixture
def sink(app):
    server = Sink().start()
    app.config.update(server.settings())
    yield server
    server.stop()


def rows(app) -> list[Delivery]:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)).all())


def at(app, moment) -> None:
    app.config["CLOCK"] = lambda: moment


@pytest.mark.both_backends
def test_451_then_250_is_retried_and_sent_once(app, sink, now):
    add_subscriber(app, "ann@example.com")
    declare(app, now)
    sink.script.append("451 4.3.0 Try again later")
    summary = Worker(app.config).drain()
    assert (summary.sent, summary.retrying) == (0, 1)
    (row,) = rows(app)
    assert row.state == "pending" and row.attempts == 1
    assert row.last_error.startswith("451")
    assert (
        now + timedelta(seconds=15)
        <= row.next_attempt_at
        <= now + timedelta(seconds=30)
    )
    assert sink.messages == []
    # Not due yet: a drain now sends nothing.
    assert Worker(app.config).drain().sent == 0
    at(app, now + timedelta(minutes=1))
    assert Worker(app.config).drain().sent == 1
    assert Worker(app.config).drain().sent == 0
    (row,) = rows(app)
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(sink.to("ann@example.com")) == 1


def test_a_dropped_connection_is_retried(app, sink, now):
    add_subscriber(app, "ann@example.com")
    add_subscriber(app, "bob@example.com")
    declare(app, now)
    sink.script.append("drop")
    Worker(app.config, connections=1).drain()
    states = sorted((r.state, r.last_error[:15]) for r in rows(app))
    assert states == [("pending", "connection lost"), ("sent", "")]
    at(app, now + timedelta(minutes=5))
    Worker(app.config).drain()
    assert [r.state for r in rows(app)] == ["sent", "sent"]
    assert sorted(m["To"] for m in sink.parsed()) == [
        "ann@example.com",
        "bob@example.com",
    ]


@pytest.mark.both_backends
def test_550_fails_for_good_and_repeated_hard_failures_suppress(app, sink, now):
    app.config["MAIL_SUPPRESS_AFTER"] = 2
    sub = add_subscriber(app, "gone@example.com")
    incident_id, _ = declare(app, now)
    sink.script.append("550 5.1.1 No such user")
    summary = Worker(app.config).drain()
    assert summary.failed == 1
    (row,) = rows(app)
    assert (row.state, row.last_error) == ("failed", "550 5.1.1 No such user")
    at(app, now + timedelta(hours=1))
    assert Worker(app.config).drain().sent == 0  # never retried
    sink.script.append("550 5.1.1 No such user")
    add_update(app, incident_id, now + timedelta(minutes=10))
    Worker(app.config).drain()
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        subscriber = s.get(Subscriber, sub)
        assert subscriber.hard_failures == 2
        assert subscriber.suppressed_at is not None
    add_update(app, incident_id, now + timedelta(minutes=20))
    assert len(rows(app)) == 2  # nothing more is queued for a suppressed address
    assert sink.messages == []


def test_temporary_failures_give_up_after_the_maximum_age(app, sink, now):
    app.config["MAIL_MAX_AGE"] = 60
    add_subscriber(app, "ann@example.com")
    declare(app, now)
    sink.script.extend(["421 4.7.0 Busy"] * 5)
    Worker(app.config).drain()
    at(app, now + timedelta(minutes=2))
    Worker(app.config).drain()
    (row,) = rows(app)
    assert row.state == "failed"
    assert row.last_error.startswith("gave up after 2 attempts: 421")


def test_a_success_resets_hard_failures(app, sink, now):
    sub = add_subscriber(app, "ann@example.com")
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        s.get(Subscriber, sub).hard_failures = 2
    declare(app, now)
    Worker(app.config).drain()
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        assert s.get(Subscriber, sub).hard_failures == 0


def _queue_many(app, n: int, now) -> None:
    url = app.config["DATABASE_URL"]
    with db.session_scope(url) as s:
        for i in range(n):
            sub = Subscriber(
                email=f"s{i}@example.com", token=f"tok{i}", confirmed_at=now
            )
            s.add(sub)
            s.flush()
            queue_one(
                s,
                key=f"manage:{sub.id}:x",
                kind="manage",
                subscriber_id=sub.id,
                now=now,
            )


@pytest.mark.both_backends
def test_parallel_claims_never_share_a_row_and_leases_expire(app, now):
    _queue_many(app, 60, now)
    engine = db.get_engine(app.config["DATABASE_URL"])
    got: list[list[int]] = []
    lock = threading.Lock()

    def grab() -> None:
        from sqlmodel import Session

        with Session(engine) as s:
            ids = claim(s, now, 10, timedelta(minutes=5))
        with lock:
            got.append(ids)

    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sa.event.remove(engine, "before_cursor_execute", seen)
    claims = [q for q in statements if q.startswith("UPDATE delivery")]
    if engine.dialect.name == "postgresql":
        assert all("FOR UPDATE SKIP LOCKED" in q for q in claims)
    else:
        assert statements.count("BEGIN IMMEDIATE") == len(claims) == 8
    flat = [i for ids in got for i in ids]
    assert len(flat) == len(set(flat)) == 60
    from sqlmodel import Session

    with Session(engine) as s:
        assert claim(s, now + timedelta(minutes=4), 100, timedelta(minutes=5)) == []
    with Session(engine) as s:
        again = claim(s, now + timedelta(minutes=6), 100, timedelta(minutes=5))
    assert sorted(again) == sorted(flat)  # a dead worker's rows come back
    assert {r.attempts for r in rows(app)} == {2}


class GatedSink(Sink):
    """Holds every message after the first `open_for` until `gate` is set."""

    def __init__(self, open_for: int) -> None:
        super().__init__()
        self.open_for = open_for
        self.seen = 0
        self.gate = threading.Event()
        self.held = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.seen += 1
            held = self.seen > self.open_for
        if held:
            with self.lock:
                self.held += 1
        while held and not self.gate.is_set():
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.both_backends
def test_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_a_batch(
    app, tmp_path
):
    subscribers, batch, connections = 300, 25, 2
    start = utcnow()
    url = app.config["DATABASE_URL"]
    with db.session_scope(url) as s:
        for i in range(subscribers):
            s.add(
                Subscriber(email=f"u{i}@example.com", token=f"t{i}", confirmed_at=start)
            )
    app.config["CLOCK"] = lambda: start
    declare(app, start)
    sink = GatedSink(open_for=130).start()
    env = {
        **os.environ,
        "STATUSPAGE_DATABASE_URL": url,
        "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "worker"),
        "STATUSPAGE_SECRET_KEY": "test-secret",
        "STATUSPAGE_SMTP_HOST": "127.0.0.1",
        "STATUSPAGE_SMTP_PORT": str(sink.port),
        "STATUSPAGE_SMTP_CONNECTIONS": str(connections),
        "STATUSPAGE_MAIL_BATCH_SIZE": str(batch),
        "STATUSPAGE_PAGE_NAME": "Acme Status",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "statuspage", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Wait until every connection is stuck mid-batch at the gate.
        deadline = time.monotonic() + 60
        while sink.held < connections and proc.poll() is None:
            assert time.monotonic() < deadline, "the worker never reached the gate"
            time.sleep(0.01)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    sink.gate.set()
    sent_before = len(sink.messages)
    states = {}
    for row in rows(app):
        states[row.state] = states.get(row.state, 0) + 1
    assert states.get("sending", 0) > 0  # it really died mid-batch

    # Run it again once the dead worker's lease has ended.
    app.config.update(sink.settings())
    app.config["CLOCK"] = lambda: utcnow() + timedelta(seconds=301)
    Worker(app.config, connections=connections).drain()
    sink.stop()

    received = [m["To"] for m in sink.parsed()]
    assert set(received) == {f"u{i}@example.com" for i in range(subscribers)}
    repeats = len(received) - subscribers
    print(f"\n{sent_before} accepted before SIGKILL; repeated after restart: {repeats}")
    assert 0 <= repeats <= batch * connections
    assert {r.state for r in rows(app)} == {"sent"}


def test_worker_command_drains_and_reports(app, runner, sink, now):
    add_subscriber(app, "ann@example.com")
    add_subscriber(app, "bob@example.com")
    declare(app, now)
    sink.script.append("451 4.3.0 Try again later")
    result = runner.invoke(args=["worker", "--drain"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, retrying later 1, failed 0, skipped 0." in result.output
    assert "Next retry due at 2026-11-26 16:30:" in result.output


def test_the_app_runs_the_worker_in_process_unless_switched_off(app, sink, now):
    from statuspage.notify.commands import send_now

    jobs = {job.name: job for job in app.extensions["statuspage_jobs"]}
    assert jobs["mail-worker"].interval(app) > 0
    add_subscriber(app, "ann@example.com")
    declare(app, now)
    jobs["mail-worker"].run(app)
    assert len(sink.messages) == 1
    app.config["WORKER_IN_PROCESS"] = False
    assert jobs["mail-worker"].interval(app) == 0
    assert jobs["mail-worker"].run is send_now
