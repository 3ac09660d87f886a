"""Checkpoints in the composer and API: roles, dashboard colours, promises, figures,
and `statuspage report`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from statuspage import db

from .checkpoint_helpers import make_incident
from .test_api import NEW, auth
from .test_composer import GOOD

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def engine(app):
    return db.get_engine(app.config["DATABASE_URL"])


@pytest.mark.both_backends
def test_api_declares_with_roles_and_returns_them(client, token):
    body = {
        **NEW,
        "roles": {"commander": "Lead@Example.com", "comms_lead": "bo@example.com"},
    }
    response = client.post("/api/v1/incidents", json=body, headers=auth(token))
    assert response.status_code == 201, response.get_json()
    roles = response.get_json()["roles"]
    # A composer user is recognised by email and named.
    assert roles == {
        "commander": {"name": "Comms Lead", "email": "lead@example.com"},
        "comms_lead": {"name": "", "email": "bo@example.com"},
    }
    again = client.get(response.headers["Location"], headers=auth(token))
    assert again.get_json()["roles"] == roles


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ({"captain": "a@example.com"}, "Unknown role 'captain'"),
        ({"commander": "not-an-email"}, "is not an email address"),
        (["commander"], "roles must be an object"),
    ],
)
def test_api_refuses_bad_roles_and_declares_nothing(client, token, roles, message):
    response = client.post(
        "/api/v1/incidents", json={**NEW, "roles": roles}, headers=auth(token)
    )
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["roles"]
    listing = client.get("/api/v1/incidents/1", headers=auth(token))
    assert listing.status_code == 404


def test_form_declares_with_roles_and_detail_page_changes_them(composer):
    response = composer.post_form(
        "/admin/incidents/new",
        {**GOOD, "role_commander": "ada@example.com", "role_comms_lead": ""},
    )
    assert response.status_code == 302, response.text
    detail = response.headers["Location"]
    roles = soup(composer.client.get(detail)).find(id="roles")
    assert "Incident commander" in roles.get_text()
    assert "ada@example.com" in roles.get_text()
    assert "Comms lead" not in roles.get_text()
    page = composer.client.get(detail)
    form = soup(page).find("form", action=lambda a: a and a.endswith("/roles"))
    assert form.find("input", id="role_commander")["value"] == "ada@example.com"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    composer.client.post(
        form["action"],
        data={
            "csrf_token": token,
            "role_commander": "",
            "role_comms_lead": "lead@example.com",
        },
    )
    roles = soup(composer.client.get(detail)).find(id="roles").get_text(" ")
    assert "ada@example.com" not in roles
    assert "Comms lead" in roles and "Comms Lead <lead@example.com>" in roles
    bad = composer.client.post(
        form["action"], data={"csrf_token": token, "role_scribe": "nope"}
    )
    follow = composer.client.get(bad.headers["Location"])
    assert "is not an email address" in follow.text


def test_dashboard_is_amber_when_due_soon_and_red_when_overdue(app, composer):
    start = NOW - timedelta(minutes=40)
    with Session(engine(app)) as s:
        make_incident(s, "Overdue one", start, [("investigating", 0, 30)])
        make_incident(s, "Soon one", start, [("investigating", 10, 43)])
        make_incident(s, "Calm one", start, [("investigating", 10, 60)])
    rows = soup(composer.client.get("/admin/")).select("table.incidents tbody tr")
    by_title = {r.find("a").get_text(): r for r in rows}
    overdue = next(r for t, r in by_title.items() if "Overdue one" in t)
    soon = next(r for t, r in by_title.items() if "Soon one" in t)
    calm = next(r for t, r in by_title.items() if "Calm one" in t)
    assert overdue["class"] == ["countdown-overdue"]
    assert "overdue by 10 min" in overdue.get_text()
    assert soon["class"] == ["countdown-soon"]
    assert "in 3 min" in soon.get_text()
    assert calm["class"] == ["countdown-ok"]
    app.config["CHECKPOINT_GRACE"] = 15  # within the grace: amber, "due now"
    rows = soup(composer.client.get("/admin/")).select("table.incidents tbody tr")
    overdue = next(r for r in rows if "Overdue one" in r.get_text())
    assert overdue["class"] == ["countdown-soon"]
    assert "due now" in overdue.get_text()


def test_incident_page_lists_promises_and_figures(app, composer):
    with Session(engine(app)) as s:
        incident = make_incident(
            s,
            "Checkout failing",
            NOW - timedelta(minutes=120),
            [
                ("investigating", 2, 30),  # kept at 25
                ("identified", 25, 55),  # broken: next at 67, 12 late
                ("monitoring", 67, 97),  # broken, still overdue: 120 - 97 = 23
            ],
        )
    page = soup(composer.client.get(f"/admin/incidents/{incident.id}"))
    outcomes = [
        r.find_all("td")[2].get_text()
        for r in page.find(id="promises").select("tbody tr")
    ]
    assert outcomes == ["kept", "broken: 12 min late", "broken: overdue by 23 min"]
    figures = dict(
        zip(
            [dt.get_text() for dt in page.find(id="figures").find_all("dt")],
            [dd.get_text() for dd in page.find(id="figures").find_all("dd")],
            strict=True,
        )
    )
    assert figures["Updates published"] == "3"
    assert figures["Promises made"] == "3 (kept 1, broken 2, pending 0)"
    assert figures["On-time rate"] == "33% (1 of 3)"
    assert figures["Lateness"] == "median 17.5 min, worst 23 min"
    assert figures["First public update"] == "2 min after declaration"
    assert figures["Median interval between updates"] == "32.5 min"


# --- statuspage report ----------------------------------------------------------


@pytest.fixture
def history(app):
    with Session(engine(app)) as s:
        old = make_incident(
            s,
            "Last week",
            datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
            [("investigating", 0, 30), ("identified", 28, 58), ("resolved", 70, None)],
        )
        now_ = make_incident(
            s,
            "Today",
            NOW - timedelta(minutes=20),
            [("investigating", 1, 30)],
        )
        return old.id, now_.id


def test_report_json_per_incident_and_total(runner, history):
    old, today = history
    result = runner.invoke(args=["report", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [i["id"] for i in data["incidents"]] == [old, today]
    first = data["incidents"][0]
    assert {k: first[k] for k in ("updates", "promises", "kept", "broken")} == {
        "updates": 3,
        "promises": 2,
        "kept": 1,
        "broken": 1,
    }
    assert (first["on_time_rate"], first["worst_lateness"]) == (0.5, 12.0)
    assert first["median_interval"] == 35.0
    assert data["incidents"][1]["pending"] == 1
    total = data["total"]
    assert total["incidents"] == 2
    assert (total["promises"], total["kept"], total["broken"], total["pending"]) == (
        3,
        1,
        1,
        1,
    )
    assert total["first_update_after"] == 0.5  # median of 0 and 1


def test_report_filters_and_reads_well(runner, history):
    old, today = history
    since = runner.invoke(args=["report", "--since", "2026-11-20", "--json"])
    assert [i["id"] for i in json.loads(since.output)["incidents"]] == [today]
    one = runner.invoke(args=["report", "--incident", str(old)])
    assert one.exit_code == 0
    lines = one.output.splitlines()
    assert lines[0] == f"#{old} Last week (SEV-2, resolved)"
    assert "kept 1, broken 1, pending 0" in lines[1]
    assert "on time 50%" in lines[2] and "worst 12 min" in lines[2]
    assert lines[3] == "Total over 1 incident(s):"
    missing = runner.invoke(args=["report", "--incident", "999"])
    assert missing.exit_code == 1 and "No incident 999." in missing.output
    bad = runner.invoke(args=["report", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "--since" in bad.output


def test_form_refuses_a_bad_role_email_and_keeps_what_was_typed(composer, session):
    response = composer.post_form(
        "/admin/incidents/new", {**GOOD, "role_comms_lead": "bo at example"}
    )
    assert response.status_code == 422
    page = soup(response)
    assert "Comms lead: 'bo at example' is not an email address." in page.get_text()
    assert page.find("input", id="role_comms_lead")["value"] == "bo at example"
    assert page.find("input", id="title")["value"] == GOOD["title"]
