"""Migrations from an empty database, the schema check, and immutable updates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from statuspage import create_app, db
from statuspage.models import Update


@pytest.mark.both_backends
def test_migrations_create_every_table_from_empty(db_url):
    with pytest.raises(db.SchemaBehind, match="statuspage db upgrade"):
        db.check_schema(db_url)
    db.upgrade(db_url)
    db.check_schema(db_url)
    tables = set(sa.inspect(db.get_engine(db_url)).get_table_names())
    assert {
        "incident",
        "update",
        "component",
        "component_group",
        "app_user",
        "api_token",
        "incident_component",
        "update_component",
    } <= tables


@pytest.mark.both_backends
def test_migrations_downgrade_to_empty_and_back(db_url):
    from alembic import command

    db.upgrade(db_url)
    cfg = db.alembic_config(db_url)
    with db.get_engine(db_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert db.revisions(db_url)[0] is None
    db.upgrade(db_url)
    db.check_schema(db_url)


def test_app_refuses_to_serve_a_schema_that_is_behind(db_url, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SECRET_KEY": "x",
        }
    )
    client = app.test_client()
    response = client.get("/admin/login")
    assert response.status_code == 503
    assert "statuspage db upgrade" in response.text
    api = client.get("/api/v1/incidents/1")
    assert api.status_code == 503
    assert "statuspage db upgrade" in api.get_json()["error"]


def test_published_update_cannot_be_edited(app, client, token, session):
    client.post(
        "/api/v1/incidents",
        json={
            "title": "Slow dashboard",
            "severity": "SEV-3",
            "current_impact": "The dashboard loads slowly.",
            "current_action": "We are adding capacity.",
            "user_action": "No action is needed.",
            "next_update_at": "2026-11-26T17:00:00Z",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    update = session.exec(select(Update)).one()
    update.current_impact = "Rewritten history"
    session.add(update)
    with pytest.raises(db.ImmutableUpdate):
        session.flush()
    session.rollback()
    session.delete(session.exec(select(Update)).one())
    with pytest.raises(db.ImmutableUpdate):
        session.flush()
    session.rollback()


def test_times_come_back_timezone_aware(app, client, token, session):
    client.post(
        "/api/v1/incidents",
        json={
            "title": "Slow dashboard",
            "severity": "SEV-3",
            "current_impact": "The dashboard loads slowly.",
            "current_action": "We are adding capacity.",
            "user_action": "No action is needed.",
            "next_update_at": "2026-11-26T18:00:00+01:00",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    update = session.exec(select(Update)).one()
    assert update.next_update_at.utcoffset().total_seconds() == 0
    assert update.next_update_at.hour == 17


@pytest.mark.both_backends
def test_migration_gives_existing_incidents_distinct_change_tokens(db_url):
    # Incidents made before 0006 must not share a token, or a site build could
    # take one incident's cached row for another's.
    db.upgrade(db_url, "0005")
    with db.get_engine(db_url).begin() as conn:
        for n in range(3):
            conn.execute(
                sa.text(
                    "INSERT INTO incident (title, severity, status, declared_at, "
                    "updated_at) VALUES (:t, 'SEV-2', 'investigating', "
                    "'2026-11-26 10:00:00', '2026-11-26 10:00:00')"
                ),
                {"t": f"Old incident {n}"},
            )
    db.upgrade(db_url)
    with db.get_engine(db_url).connect() as conn:
        tokens = conn.execute(sa.text("SELECT change_token FROM incident")).scalars()
        tokens = list(tokens)
    assert len(tokens) == 3
    assert len(set(tokens)) == 3
    assert all(len(t) == 32 for t in tokens)


@pytest.mark.both_backends
def test_every_write_an_incident_page_shows_gives_it_a_new_change_token(db_url):
    from datetime import UTC, datetime

    from statuspage.models import (
        Component,
        Incident,
        IncidentComponent,
        UpdateComponent,
    )

    db.upgrade(db_url)
    at = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def token() -> str:
        with db.session_scope(db_url) as s:
            return s.get(Incident, incident_id).change_token  # type: ignore[union-attr]

    with db.session_scope(db_url) as s:
        incident = Incident(title="Checkout errors", severity="SEV-2")
        component = Component(name="Checkout")
        s.add_all([incident, component])
        s.flush()
        incident_id, component_id = incident.id, component.id
    seen = {token()}
    with db.session_scope(db_url) as s:  # the incident row itself
        s.get(Incident, incident_id).title = "Checkout errors for card payments"  # type: ignore[union-attr]
    seen.add(token())
    with db.session_scope(db_url) as s:  # a new update
        s.add(
            Update(
                incident_id=incident_id,
                status="identified",
                current_impact="Card payments fail.",
                published_at=at,
            )
        )
    seen.add(token())
    with db.session_scope(db_url) as s:  # an affected component
        s.add(
            IncidentComponent(
                incident_id=incident_id,
                component_id=component_id,
                status="major_outage",
            )
        )
    seen.add(token())
    with db.session_scope(db_url) as s:  # a component change on an update
        update = s.exec(select(Update)).one()
        s.add(
            UpdateComponent(
                update_id=update.id,
                component_id=component_id,
                old_status="operational",
                new_status="major_outage",
            )
        )
    seen.add(token())
    assert len(seen) == 5
