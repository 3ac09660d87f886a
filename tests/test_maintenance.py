"""Maintenance windows start and end on time: components, notices, the site."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from statuspage import db
from statuspage.maintenance import add_maintenance, tick
from statuspage.models import Component, Delivery, Maintenance, Subscriber


def status_of(app, name: str) -> str:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return s.exec(select(Component).where(Component.name == name)).one().status


def window_status(app) -> str:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return s.exec(select(Maintenance)).one().status


def test_a_window_starts_and_completes_on_time(app, now):
    url = app.config["DATABASE_URL"]
    with db.session_scope(url) as s:
        s.add(
            Subscriber(
                email="ops@example.com",
                token="t" * 32,
                confirmed_at=now,
                mode="every_update",
            )
        )
        add_maintenance(
            s,
            title="Database upgrade",
            starts=now + timedelta(hours=1),
            ends=now + timedelta(hours=2),
            components=["Checkout"],
            now=now,
        )
    assert tick(app.config, now) == []
    assert status_of(app, "Checkout") == "operational"

    assert len(tick(app.config, now + timedelta(hours=1))) == 1
    assert window_status(app) == "in_progress"
    assert status_of(app, "Checkout") == "under_maintenance"
    assert status_of(app, "API") == "operational"
    site = Path(app.config["SITE_DIR"])
    summary = json.loads((site / "api/v2/summary.json").read_text())
    checkout = next(c for c in summary["components"] if c["name"] == "Checkout")
    assert checkout["status"] == "under_maintenance"
    active = json.loads(
        (site / "api/v2/scheduled-maintenances/active.json").read_text()
    )
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Database upgrade"]

    assert tick(app.config, now + timedelta(hours=1, minutes=30)) == []
    assert len(tick(app.config, now + timedelta(hours=2))) == 1
    assert window_status(app) == "completed"
    assert status_of(app, "Checkout") == "operational"
    with db.session_scope(url) as s:
        keys = sorted(d.dedupe_key.rsplit(":", 1)[0] for d in s.exec(select(Delivery)))
    # A notice when scheduled, when it started and when it completed.
    assert keys == [
        "maintenance:1:completed",
        "maintenance:1:in_progress",
        "maintenance:1:scheduled",
    ]


def test_an_outage_during_maintenance_is_not_overwritten(app, now):
    url = app.config["DATABASE_URL"]
    with db.session_scope(url) as s:
        add_maintenance(
            s,
            title="Network work",
            starts=now,
            ends=now + timedelta(hours=1),
            components=["API"],
            now=now,
        )
    tick(app.config, now)
    with db.session_scope(url) as s:
        api = s.exec(select(Component).where(Component.name == "API")).one()
        api.status = "major_outage"
        s.add(api)
    tick(app.config, now + timedelta(hours=1))
    assert status_of(app, "API") == "major_outage"


def test_tick_command(runner, app, now):
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        add_maintenance(
            s,
            title="Disk swap",
            starts=now,
            ends=now + timedelta(hours=1),
            components=["API"],
            now=now,
        )
    result = runner.invoke(
        args=["maintenance", "tick", "--now", "2026-11-26T16:31:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert "1 maintenance window(s) changed." in result.output
    assert status_of(app, "API") == "under_maintenance"
    bad = runner.invoke(args=["maintenance", "tick", "--now", "soon"])
    assert bad.exit_code == 2
