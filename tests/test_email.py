"""Update emails: queued in the publishing transaction, for the right subscribers,
with threading, list and unsubscribe headers, text and inlined HTML."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from statuspage import db
from statuspage import incidents as service
from statuspage.models import (
    Component,
    Delivery,
    Subscriber,
    SubscriberComponent,
    SubscriberIncident,
)
from statuspage.notify.worker import Worker
from statuspage.rules.elements import Draft

from .test_email_sink import Sink, html_of, text_of


@pytest.fixture
def sink(app):
    server = Sink().start()
    app.config.update(server.settings())
    yield server
    server.stop()


def add_subscriber(
    app,
    email: str,
    *,
    components: tuple[str, ...] = (),
    mode: str = "every_update",
    confirmed: bool = True,
    incident_id: int | None = None,
) -> int:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        sub = Subscriber(
            email=email,
            token=email.split("@")[0].ljust(43, "x"),
            mode=mode,
            confirmed_at=app.config["CLOCK"]() if confirmed else None,
        )
        s.add(sub)
        s.flush()
        for name in components:
            c = s.exec(select(Component).where(Component.name == name)).one()
            s.add(SubscriberComponent(subscriber_id=sub.id, component_id=c.id))
        if incident_id:
            s.add(SubscriberIncident(subscriber_id=sub.id, incident_id=incident_id))
        return sub.id


def draft(status: str = "identified", now=None, **kw) -> Draft:
    return Draft(
        status=status,
        current_impact=kw.get("impact", "Card payments fail at checkout."),
        current_action="We are rolling back the payment service release.",
        user_action="Retry your payment after 16:45 UTC.",
        next_update_at=None if status == "resolved" else now + timedelta(minutes=15),
        body=kw.get("body", "More detail: **eu-west** only."),
    )


def declare(
    app, now, title="Checkout unavailable", components=None, status="identified"
):
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        incident, update = service.declare(
            s,
            title=title,
            severity="SEV-1",
            draft=draft(status, now),
            components=components
            if components is not None
            else {"Checkout": "major_outage"},
            author=None,
            now=now,
            policy=service.Policy.from_settings(app.config),
        )
        return incident.id, update.id


def add_update(app, incident_id, now, status="monitoring"):
    from statuspage.models import Incident

    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return service.add_update(
            s,
            s.get(Incident, incident_id),
            draft=draft(status, now),
            components=None,
            author=None,
            now=now,
            policy=service.Policy.from_settings(app.config),
        ).id


def queued(app) -> list[Delivery]:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)).all())


@pytest.mark.both_backends
def test_publishing_queues_one_email_per_matching_confirmed_subscriber(app, now):
    everything = add_subscriber(app, "all@example.com")
    checkout = add_subscriber(app, "checkout@example.com", components=("Checkout",))
    add_subscriber(app, "api@example.com", components=("API",))
    add_subscriber(app, "pending@example.com", confirmed=False)
    add_subscriber(app, "digest@example.com", mode="daily_digest")
    incident_id, update_id = declare(app, now)
    rows = queued(app)
    assert sorted(r.subscriber_id for r in rows) == sorted([everything, checkout])
    assert {r.dedupe_key for r in rows} == {
        f"update:{update_id}:{everything}",
        f"update:{update_id}:{checkout}",
    }
    assert all(r.state == "pending" and r.kind == "update" for r in rows)
    # A follower of this one incident gets its next update too.
    follower = add_subscriber(
        app, "follow@example.com", mode="incident_only", incident_id=incident_id
    )
    second = add_update(app, incident_id, now + timedelta(minutes=10))
    assert sorted(
        r.subscriber_id for r in queued(app) if r.update_id == second
    ) == sorted([everything, checkout, follower])


def test_a_rejected_or_rolled_back_update_queues_nothing(app, now):
    add_subscriber(app, "all@example.com")
    with pytest.raises(service.Rejected):
        with db.session_scope(app.config["DATABASE_URL"]) as s:
            service.declare(
                s,
                title="",
                severity="SEV-1",
                draft=draft("identified", now),
                components=None,
                author=None,
                now=now,
                policy=service.Policy.from_settings(app.config),
            )
    with pytest.raises(RuntimeError):
        with db.session_scope(app.config["DATABASE_URL"]) as s:
            service.declare(
                s,
                title="Checkout unavailable",
                severity="SEV-1",
                draft=draft("identified", now),
                components=None,
                author=None,
                now=now,
                policy=service.Policy.from_settings(app.config),
            )
            raise RuntimeError("the request failed after publishing")
    assert queued(app) == []


@pytest.mark.both_backends
def test_the_email_a_subscriber_receives(app, now, sink):
    add_subscriber(app, "ann@example.com")
    incident_id, first_update = declare(app, now)
    Worker(app.config).drain()
    add_update(app, incident_id, now + timedelta(minutes=10))
    app.config["CLOCK"] = lambda: now + timedelta(minutes=10)
    Worker(app.config).drain()
    first, second = sink.to("ann@example.com")

    assert first["Subject"] == (
        "[Identified] Checkout unavailable - next update 16:45 UTC"
    )
    assert first["From"] == "Acme Status <status@example.com>"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Id"] == "Acme Status <updates.example.com>"
    unsub = first["List-Unsubscribe"]
    assert unsub.startswith("<http://localhost:5000/unsubscribe/annxxx")
    assert "<mailto:status@example.com?subject=unsubscribe%20annxxx" in unsub
    assert first["Date"]
    # Threading: the second message answers the first.
    assert first["In-Reply-To"] is None
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert first["Message-ID"] != second["Message-ID"]
    assert second["Subject"].startswith("[Monitoring] Checkout unavailable")

    text = text_of(first)
    order = [
        text.index("Current impact: Card payments fail"),
        text.index("What we are doing: We are rolling back"),
        text.index("What you should do: Retry your payment"),
        text.index("Next update by 16:45 UTC"),
        text.index("More detail"),
    ]
    assert order == sorted(order)
    assert "http://localhost:5000/subscription/annxxx" in text

    html = html_of(first)
    soup = BeautifulSoup(html, "html.parser")
    assert "@media" in soup.find("style").get_text()  # kept for mail clients
    assert "font-family" in soup.find("body")["style"]  # inlined
    assert soup.find("strong").get_text() == "eu-west"
    links = {a.get_text(): a["href"] for a in soup.find_all("a")}
    assert links["Unsubscribe"].startswith("http://localhost:5000/unsubscribe/annxxx")


def test_message_id_is_stable_per_update_and_subscriber(app, now, sink):
    add_subscriber(app, "ann@example.com")
    declare(app, now)
    Worker(app.config).drain()
    (row,) = queued(app)
    assert row.state == "sent"
    assert row.message_id == sink.parsed()[0]["Message-ID"]


def test_no_header_can_be_injected_from_a_title(app, now, sink):
    from statuspage.models import Incident

    add_subscriber(app, "ann@example.com")
    incident_id, _ = declare(app, now, title="Checkout down")
    # The composer refuses such a title; an older row or another writer may not.
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        incident = s.get(Incident, incident_id)
        incident.title = "Checkout\r\nBcc: victim@example.com\r\n\r\nfake body"
    Worker(app.config).drain()
    (mail,) = sink.parsed()
    assert mail["Bcc"] is None
    assert mail["Subject"].startswith("[Identified] Checkout Bcc: victim@example.com")
    assert sink.envelopes == [("status@example.com", ["ann@example.com"])]


def test_non_ascii_title_is_encoded(app, now, sink):
    add_subscriber(app, "ann@example.com")
    declare(app, now, title="Zahlungen gestört – Café")
    Worker(app.config).drain()
    assert "Zahlungen gestört – Café" in sink.parsed()[0]["Subject"]


def test_unsubscribe_link_in_the_email_works_with_one_post(app, now, sink, client):
    add_subscriber(app, "ann@example.com")
    declare(app, now)
    Worker(app.config).drain()
    url = sink.parsed()[0]["List-Unsubscribe"].split(">")[0].lstrip("<")
    path = url.split("localhost:5000", 1)[1]
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    incident_id = queued(app)[0].update_id
    assert incident_id
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        assert s.exec(select(Subscriber)).one().unsubscribed_at is not None


def test_composer_previews_the_email_and_sends_a_test(app, composer, sink):
    form = {
        "title": "Checkout unavailable",
        "severity": "SEV-1",
        "status": "identified",
        "current_impact": "Card payments fail at checkout.",
        "current_action": "We are rolling back the payment release.",
        "user_action": "Retry after 16:45 UTC.",
        "next_update_in": "15",
    }
    page = composer.client.get("/admin/incidents/new")
    assert "Preview the subscriber email" in page.text
    from .conftest import csrf_from

    token = csrf_from(page.text)
    preview = composer.client.post(
        "/admin/preview/email", data={**form, "csrf_token": token}
    )
    assert preview.status_code == 200
    soup = BeautifulSoup(preview.text, "html.parser")
    assert soup.find(id="email-subject").get_text() == (
        "[Identified] Checkout unavailable - next update 16:45 UTC"
    )
    assert "Current impact: Card payments fail" in soup.find(id="email-text").get_text()
    assert "Card payments fail" in soup.find("iframe")["srcdoc"]
    test_form = soup.find("form", action="/admin/preview/email/test")
    data = {i["name"]: i["value"] for i in test_form.find_all("input")}
    sent = composer.client.post("/admin/preview/email/test", data=data)
    assert sent.status_code == 200
    assert "Test email sent to lead@example.com" in sent.text
    (mail,) = sink.parsed()
    assert mail["To"] == "lead@example.com"
    assert mail["Subject"].startswith("[TEST] [Identified] Checkout unavailable")
    assert queued(app) == []  # nothing for subscribers


@pytest.mark.both_backends
def test_queueing_twice_adds_nothing(app, now):
    from statuspage.models import Incident, Update
    from statuspage.notify.outbox import queue_update

    add_subscriber(app, "ann@example.com")
    add_subscriber(app, "bob@example.com")
    incident_id, update_id = declare(app, now)
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        again = queue_update(
            s, s.get(Update, update_id), s.get(Incident, incident_id), now
        )
    assert again == 0
    assert len(queued(app)) == 2


@pytest.mark.both_backends
def test_maintenance_notice_goes_to_subscribers_of_its_components(app, now, sink):
    from statuspage.maintenance import add_maintenance
    from statuspage.notify.outbox import queue_maintenance

    add_subscriber(app, "all@example.com")
    add_subscriber(app, "api@example.com", components=("API",))
    add_subscriber(app, "shop@example.com", components=("Checkout",))
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        window = add_maintenance(
            s,
            title="Database upgrade",
            starts=now + timedelta(days=1),
            ends=now + timedelta(days=1, hours=2),
            components=["Checkout"],
            body="Checkout will be read-only.",
            now=now,
        )
        # Adding the window queued the notices; queueing again adds none.
        assert queue_maintenance(s, window, now) == 0
    Worker(app.config).drain()
    assert sorted(m["To"] for m in sink.parsed()) == [
        "all@example.com",
        "shop@example.com",
    ]
    mail = sink.to("shop@example.com")[0]
    assert mail["Subject"] == (
        "[Scheduled maintenance] Database upgrade - 27 Nov 2026, 16:30 UTC"
    )
    assert "Components: Checkout" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_subscription_pages_wear_the_public_theme(client):
    page = client.get("/subscribe")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("link", rel="stylesheet")["href"] == "/static/style.css"
    assert soup.select_one(".site-name").get_text() == "Acme Status"
    assert {i["value"] for i in soup.select("input[name=components]")} == {
        "API",
        "Checkout",
        "Dashboard",
    }
    form = soup.find("form")
    assert (form["method"], form["action"]) == ("post", "/subscribe")


def test_composer_preview_shows_the_email_subject_beside_the_web_preview(composer):
    from .conftest import csrf_from

    page = composer.client.get("/admin/incidents/new")
    shown = composer.client.post(
        "/admin/incidents/new",
        data={
            "csrf_token": csrf_from(page.text),
            "action": "preview",
            "title": "Checkout unavailable",
            "severity": "SEV-1",
            "status": "identified",
            "current_impact": "Card payments fail at checkout.",
            "current_action": "We are rolling back the payment release.",
            "user_action": "Retry after 16:45 UTC.",
            "next_update_in": "15",
        },
    )
    soup = BeautifulSoup(shown.text, "html.parser")
    assert soup.find(id="email-preview-subject").get_text() == (
        "[Identified] Checkout unavailable - next update 16:45 UTC"
    )
    # The text and the HTML versions sit beside it; the HTML in a sandboxed frame.
    assert "Card payments fail at checkout." in soup.find(id="email-preview-text").text
    frame = soup.find("iframe", id="email-preview-html")
    assert frame.has_attr("sandbox")
    html = BeautifulSoup(frame["srcdoc"], "html.parser")
    assert "We are rolling back the payment release." in html.get_text()
