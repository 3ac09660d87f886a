"""The composer through Flask's test client: login, CSRF, declare, compose."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlmodel import select

from statuspage.models import Component, Incident, Update

from .conftest import PASSWORD, csrf_from

GOOD = {
    "title": "Checkout failing for some card payments",
    "severity": "SEV-2",
    "status": "investigating",
    "current_impact": "Some users cannot complete checkout.",
    "current_action": "We are failing over payment traffic to a backup path.",
    "user_action": "Retry in 2-3 minutes; do not resubmit duplicate payment attempts.",
    "next_update_in": "30",
    "body": "",
    "action": "publish",
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_composer_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_wrong_password_is_refused(client):
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": "lead@example.com",
            "password": "nope",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 401
    assert "Wrong email or password" in response.text


def test_login_without_csrf_token_is_refused(client):
    response = client.post(
        "/admin/login", data={"email": "lead@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Form expired" in response.text


def test_login_then_logout(composer):
    assert composer.client.get("/admin/").status_code == 200
    page = composer.client.get("/admin/")
    composer.client.post("/admin/logout", data={"csrf_token": csrf_from(page.text)})
    assert composer.client.get("/admin/").status_code == 302


def test_login_redirect_stays_on_site(client):
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login?next=//evil.example/x",
        data={
            "email": "lead@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["Location"] == "/admin/"


def test_declare_publishes_and_builds_the_public_page(composer, app, session):
    response = composer.post_form(
        "/admin/incidents/new", {**GOOD, "component-1": "partial_outage"}
    )
    assert response.status_code == 302
    incident = session.exec(select(Incident)).one()
    assert incident.status == "investigating"
    update = session.exec(select(Update)).one()
    assert update.next_update_at.strftime("%H:%M") == "17:00"
    checkout = session.exec(select(Component).where(Component.name == "Checkout")).one()
    assert checkout.status == "partial_outage"
    public = composer.client.get("/")
    assert public.status_code == 200
    text = soup(public).get_text(" ")
    assert "Some users cannot complete checkout." in text
    assert "17:00 UTC" in text
    page = composer.client.get(f"/incidents/{incident.id}.html")
    assert page.status_code == 200
    assert "Retry in 2-3 minutes" in page.text


def test_dashboard_shows_countdown(composer, app, session):
    composer.post_form("/admin/incidents/new", GOOD)
    page = soup(composer.client.get("/admin/"))
    row = page.find("table", class_="incidents").find("tbody").find("tr")
    assert "Checkout failing" in row.get_text()
    assert "in 30 min" in row.get_text()
    assert "17:00 UTC" in row.get_text()


def test_speculative_update_is_blocked_and_keeps_the_text(composer, session):
    speculative = {
        **GOOD,
        "current_action": "We believe this is caused by a faulty deploy this morning.",
        "body": "Extra *detail* we typed.",
    }
    response = composer.post_form("/admin/incidents/new", speculative)
    assert response.status_code == 422
    assert session.exec(select(Incident)).first() is None
    page = soup(response)
    assert (
        page.find("textarea", id="current_action").text == speculative["current_action"]
    )
    assert page.find("textarea", id="body").text == "Extra *detail* we typed."
    assert page.find("input", id="title")["value"] == GOOD["title"]
    marks = page.select("#field-current_action mark.finding-block")
    assert marks, "the offending words are marked"
    assert any("believe" in m.text or "caused by" in m.text for m in marks)
    assert page.find(id="not-published")


def test_missing_elements_are_named_and_nothing_is_published(composer, session):
    response = composer.post_form(
        "/admin/incidents/new", {**GOOD, "user_action": "", "next_update_in": ""}
    )
    assert response.status_code == 422
    page = soup(response)
    assert page.find(id="user_action-error")
    assert page.find(id="next_update_at-error")
    assert session.exec(select(Incident)).first() is None


def test_custom_next_update_time_in_author_zone(composer, app, session):
    # The page's zone is UTC here; 17:10 local = 17:10 UTC.
    response = composer.post_form(
        "/admin/incidents/new",
        {**GOOD, "next_update_in": "custom", "next_update_at": "2026-11-26T17:10"},
    )
    assert response.status_code == 302
    update = session.exec(select(Update)).one()
    assert update.next_update_at.isoformat() == "2026-11-26T17:10:00+00:00"


def test_next_update_beyond_the_severity_limit_is_refused(composer, session):
    response = composer.post_form(
        "/admin/incidents/new", {**GOOD, "severity": "SEV-1", "next_update_in": "60"}
    )
    assert response.status_code == 422
    assert "every 30 minutes" in response.text


def test_preview_button_renders_the_public_update_without_publishing(composer, session):
    response = composer.post_form("/admin/incidents/new", {**GOOD, "action": "preview"})
    assert response.status_code == 200
    preview = soup(response).find(id="preview")
    assert "Some users cannot complete checkout." in preview.get_text()
    assert session.exec(select(Incident)).first() is None


def test_live_preview_endpoint_returns_findings_and_html(composer):
    page = composer.client.get("/admin/incidents/new")
    response = composer.client.post(
        "/admin/preview",
        data={
            **GOOD,
            "current_impact": "It seems the outage is due to our CDN.",
            "csrf_token": csrf_from(page.text),
        },
    )
    data = response.get_json()
    assert data["blocked"] is True
    assert {f["field"] for f in data["findings"]} >= {"current_impact"}
    assert "<mark" in data["marked"]["current_impact"]
    assert "It seems the outage" in data["html"]


def _declare(composer, session) -> Incident:
    composer.post_form("/admin/incidents/new", {**GOOD, "component-1": "major_outage"})
    return session.exec(select(Incident)).one()


def test_compose_next_update_and_resolve(composer, session, app):
    incident = _declare(composer, session)
    path = f"/admin/incidents/{incident.id}/updates/new"
    response = composer.post_form(
        path,
        {
            "status": "monitoring",
            "current_impact": "Checkout works again for most users.",
            "current_action": "We are watching error rates.",
            "user_action": "Retry any failed payment once.",
            "next_update_in": "15",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    response = composer.post_form(
        path,
        {
            "status": "resolved",
            "current_impact": "Checkout failed from 16:05 to 16:40 UTC; it works now.",
            "current_action": "",
            "user_action": "No action is needed.",
            "next_update_in": "30",  # ignored for a resolved update
            "action": "publish",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    incident = session.get(Incident, incident.id)
    assert incident.status == "resolved"
    assert incident.resolved_at is not None
    checkout = session.exec(select(Component).where(Component.name == "Checkout")).one()
    assert checkout.status == "operational"
    detail = composer.client.get(f"/admin/incidents/{incident.id}")
    assert detail.text.count('class="update"') == 3


def test_unhedged_cause_needs_confirmation_while_open(composer, session):
    incident = _declare(composer, session)
    path = f"/admin/incidents/{incident.id}/updates/new"
    fields = {
        "status": "identified",
        "current_impact": "Some users cannot complete checkout.",
        "current_action": (
            "The outage was caused by an expired certificate; we are renewing it."
        ),
        "user_action": "Retry in 10 minutes.",
        "next_update_in": "30",
        "action": "publish",
    }
    assert composer.post_form(path, fields).status_code == 422
    response = composer.post_form(path, {**fields, "cause_confirmed": "on"})
    assert response.status_code == 302
    session.expire_all()
    latest = session.exec(select(Update).order_by(Update.id.desc())).first()
    assert latest.cause_confirmed is True
    assert latest.cause_confirmed_by_id is not None


def test_update_on_unknown_incident_is_404(composer):
    assert composer.client.get("/admin/incidents/999").status_code == 404
