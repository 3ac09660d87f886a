"""Subscribing: double opt-in, signed links, preferences, one-click unsubscribe,
no address probing, rate limits (database and Redis)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from statuspage import db
from statuspage.models import Delivery, Subscriber
from statuspage.notify.worker import Worker
from statuspage.subscriptions import remind_unconfirmed

from .test_email_sink import Sink, text_of


@pytest.fixture
def sink(app):
    server = Sink().start()
    app.config.update(server.settings())
    yield server
    server.stop()


def drain(app) -> None:
    Worker(app.config).drain()


def subscriber(app, email: str) -> Subscriber | None:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return s.exec(select(Subscriber).where(Subscriber.email == email)).first()


def deliveries(app) -> list[Delivery]:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)).all())


def link(message, path: str) -> str:
    match = re.search(rf"https?://\S+{path}\S+", text_of(message))
    assert match, text_of(message)
    return match.group(0).split("localhost:5000", 1)[1]


def main_text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").find("main").get_text().split())


@pytest.mark.both_backends
def test_double_opt_in_sends_one_email_until_confirmed(app, client, sink):
    page = client.post(
        "/subscribe",
        data={"email": "Ann@Example.com", "components": ["API", "Checkout"]},
    )
    assert page.status_code == 200
    assert "Check your inbox" in main_text(page.text)
    again = client.post("/subscribe", data={"email": "ann@example.com"})
    assert again.status_code == 200
    drain(app)
    assert len(sink.messages) == 1  # one confirmation, however often they ask
    mail = sink.parsed()[0]
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "Confirm your subscription to Acme Status"
    confirm_path = link(mail, "/subscribe/confirm/")

    # Opening the link (or a mail scanner prefetching it) confirms nothing.
    shown = client.get(confirm_path)
    assert shown.status_code == 200
    button = BeautifulSoup(shown.text, "html.parser").find("button")
    assert button.get_text(strip=True) == "Confirm subscription"
    assert subscriber(app, "ann@example.com").confirmed_at is None

    form = BeautifulSoup(shown.text, "html.parser").find("form")
    token = form.find("input", {"name": "csrf_token"})["value"]
    done = client.post(confirm_path, data={"csrf_token": token})
    assert done.status_code == 200
    assert "You are subscribed" in main_text(done.text)
    assert subscriber(app, "ann@example.com").confirmed_at is not None


def test_answers_the_same_for_new_pending_and_known_addresses(app, client, sink):
    def answer(email: str) -> tuple[int, str]:
        r = client.post("/subscribe", data={"email": email})
        return r.status_code, main_text(r.text)

    new = answer("new@example.com")
    pending = answer("new@example.com")
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        s.add(
            Subscriber(
                email="old@example.com",
                token="t" * 43,
                confirmed_at=app.config["CLOCK"](),
            )
        )
    known = answer("old@example.com")
    assert new == pending == known
    r = client.post("/subscribe", json={"email": "old@example.com"})
    assert r.status_code == 202
    assert r.get_json()["status"] == "accepted"
    drain(app)
    # The known address got its own preferences link, nothing was changed.
    old = sink.to("old@example.com")
    assert len(old) == 1 and "/subscription/tttt" in text_of(old[0])


def test_bad_address_unknown_component_and_mode_are_refused(client):
    r = client.post("/subscribe", data={"email": "not-an-address"})
    assert r.status_code == 400
    assert "not valid" in main_text(r.text)
    r = client.post("/subscribe", data={"email": "a@example.com", "components": "Nope"})
    assert r.status_code == 400 and "Unknown component: Nope" in main_text(r.text)
    r = client.post("/subscribe", json={"email": "a@example.com", "mode": "hourly"})
    assert r.status_code == 400 and "Mode must be one of" in r.get_json()["error"]


def test_confirmation_link_expires_after_48_hours(app, client, sink, now):
    client.post("/subscribe", data={"email": "late@example.com"})
    drain(app)
    path = link(sink.parsed()[0], "/subscribe/confirm/")
    app.config["CLOCK"] = lambda: now + timedelta(hours=48, minutes=1)
    r = client.get(path)
    assert r.status_code == 410
    assert "expired" in main_text(r.text)
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    app.config["CLOCK"] = lambda: now
    assert client.get(tampered).status_code == 410


def test_at_most_one_reminder(app, client, sink, now):
    client.post("/subscribe", data={"email": "slow@example.com"})
    url = app.config["DATABASE_URL"]
    with db.session_scope(url) as s:
        assert remind_unconfirmed(s, now + timedelta(hours=2)) == 0
    with db.session_scope(url) as s:
        assert remind_unconfirmed(s, now + timedelta(hours=25)) == 1
    with db.session_scope(url) as s:
        assert remind_unconfirmed(s, now + timedelta(hours=40)) == 0
    app.config["CLOCK"] = lambda: now + timedelta(hours=40)
    drain(app)
    subjects = [m["Subject"] for m in sink.parsed()]
    assert subjects == [
        "Confirm your subscription to Acme Status",
        "Reminder: confirm your subscription to Acme Status",
    ]


def _confirmed(app, email: str, token: str) -> None:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        s.add(Subscriber(email=email, token=token, confirmed_at=app.config["CLOCK"]()))


def test_preferences_page_changes_components_and_mode(app, client):
    _confirmed(app, "pat@example.com", "p" * 43)
    page = client.get("/subscription/" + "p" * 43)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert {i["value"] for i in soup.select("input[name=components]")} == {
        "API",
        "Checkout",
        "Dashboard",
    }
    token = soup.find("input", {"name": "csrf_token"})["value"]
    saved = client.post(
        "/subscription/" + "p" * 43,
        data={"csrf_token": token, "components": ["API"], "mode": "daily_digest"},
    )
    assert saved.status_code == 200
    soup = BeautifulSoup(saved.text, "html.parser")
    assert [i["value"] for i in soup.select("input[name=components][checked]")] == [
        "API"
    ]
    assert soup.select_one("input[name=mode][checked]")["value"] == "daily_digest"
    assert subscriber(app, "pat@example.com").mode == "daily_digest"
    assert client.get("/subscription/unknown").status_code == 404


def test_one_click_unsubscribe_post_only(app, client):
    _confirmed(app, "bye@example.com", "u" * 43)
    path = "/unsubscribe/" + "u" * 43
    shown = client.get(path)
    assert shown.status_code == 200
    assert BeautifulSoup(shown.text, "html.parser").find("button").get_text() == (
        "Unsubscribe"
    )
    assert subscriber(app, "bye@example.com").unsubscribed_at is None
    # RFC 8058: the mail client POSTs this body, without cookies or CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You are unsubscribed" in main_text(done.text)
    first = subscriber(app, "bye@example.com").unsubscribed_at
    assert first is not None
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert subscriber(app, "bye@example.com").unsubscribed_at == first


@pytest.mark.both_backends
def test_rate_limit_per_address_in_the_database(app, client):
    app.config["SUBSCRIBE_LIMIT_ADDRESS"] = 2
    codes = [
        client.post("/subscribe", data={"email": "x@example.com"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    r = client.post("/subscribe", data={"email": "x@example.com"})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "3600"
    assert "Too many requests" in main_text(r.text)
    # Another address from the same IP is still welcome.
    assert client.post("/subscribe", data={"email": "y@example.com"}).status_code == 200


def test_rate_limit_per_ip_window_resets(app, client, now):
    app.config["SUBSCRIBE_LIMIT_IP"] = 2
    for n in range(2):
        assert (
            client.post("/subscribe", data={"email": f"{n}@example.com"}).status_code
            == 200
        )
    assert client.post("/subscribe", json={"email": "z@example.com"}).status_code == 429
    app.config["CLOCK"] = lambda: now + timedelta(hours=1)
    assert client.post("/subscribe", data={"email": "z@example.com"}).status_code == 200


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def redis_url() -> str:
    """Redis on 127.0.0.1:6379, started as TOOLING.md says when it does not answer."""
    import shutil
    import subprocess

    url = "redis://127.0.0.1:6379/15"
    if not _redis_answers(url) and shutil.which("redis-server"):
        subprocess.run(
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' "
            "--appendonly no",
            shell=True,
            check=False,
        )
        for _ in range(100):
            if _redis_answers(url):
                break
            import time

            time.sleep(0.05)
    if not _redis_answers(url):
        pytest.fail("Redis is not answering on 127.0.0.1:6379")
    return url


def test_rate_limit_with_redis(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    app.config["SUBSCRIBE_LIMIT_IP"] = 2
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    env = {"REMOTE_ADDR": ip}
    codes = [
        client.post(
            "/subscribe",
            data={"email": f"r{n}-{uuid.uuid4().hex}@example.com"},
            environ_base=env,
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        from statuspage.models import Throttle

        assert s.exec(select(Throttle)).all() == []  # Redis counted, not the table


def test_follow_one_incident_only(app, client, sink, now):
    from .test_email import add_subscriber, add_update, declare

    followed, _ = declare(app, now, title="Checkout unavailable")
    other, _ = declare(app, now, title="Dashboard slow", components={})
    form = client.get(f"/subscribe?incident={followed}")
    hidden = BeautifulSoup(form.text, "html.parser").find("input", {"name": "incident"})
    assert hidden["value"] == str(followed)
    r = client.post(
        "/subscribe", data={"email": "fan@example.com", "incident": followed}
    )
    assert r.status_code == 200
    drain(app)
    path = link(sink.to("fan@example.com")[0], "/subscribe/confirm/")
    shown = client.get(path)
    token = BeautifulSoup(shown.text, "html.parser").find(
        "input", {"name": "csrf_token"}
    )["value"]
    client.post(path, data={"csrf_token": token})
    add_subscriber(app, "all@example.com")
    later = now + timedelta(minutes=5)
    add_update(app, followed, later)
    add_update(app, other, later)
    fan = subscriber(app, "fan@example.com")
    assert fan.mode == "incident_only"
    mine = [d for d in deliveries(app) if d.subscriber_id == fan.id]
    assert [(d.kind, d.update_id is not None) for d in mine] == [
        ("confirm", False),
        ("update", True),
    ]
    assert (
        client.post(
            "/subscribe", data={"email": "x@example.com", "incident": "999"}
        ).status_code
        == 400
    )


def test_resubscribing_after_unsubscribe_needs_one_new_confirmation(
    app, client, sink, now
):
    client.post("/subscribe", data={"email": "back@example.com"})
    drain(app)
    path = link(sink.parsed()[0], "/subscribe/confirm/")
    shown = client.get(path)
    csrf = BeautifulSoup(shown.text, "html.parser").find(
        "input", {"name": "csrf_token"}
    )["value"]
    client.post(path, data={"csrf_token": csrf})
    token = subscriber(app, "back@example.com").token
    app.config["CLOCK"] = lambda: now + timedelta(hours=1)
    client.post(f"/unsubscribe/{token}")
    app.config["CLOCK"] = lambda: now + timedelta(hours=2)
    for _ in range(2):
        client.post("/subscribe", data={"email": "back@example.com"})
    drain(app)
    assert [m["Subject"] for m in sink.to("back@example.com")] == [
        "Confirm your subscription to Acme Status"
    ] * 2
    again = link(sink.parsed()[1], "/subscribe/confirm/")
    client.post(again, data={"csrf_token": csrf})
    back = subscriber(app, "back@example.com")
    assert back.unsubscribed_at is None and back.confirmed_at is not None


def test_public_incident_page_offers_to_follow_the_incident(app, client, token):
    created = client.post(
        "/api/v1/incidents",
        json={
            "title": "Checkout errors",
            "severity": "SEV-2",
            "current_impact": "Some users cannot check out.",
            "current_action": "We are rolling back the release.",
            "user_action": "Retry in a few minutes.",
            "next_update_at": "2026-11-26T17:00:00Z",
        },
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    page = BeautifulSoup(
        client.get(f"/incidents/{created['id']}.html").text, "html.parser"
    )
    form = page.find("section", class_="follow").find("form")
    assert form["action"].endswith("/subscribe")
    fields = {i["name"]: i.get("value") for i in form.find_all("input")}
    assert fields["incident"] == str(created["id"])
    # Posting it as the browser would starts a double opt-in for that incident.
    answer = client.post(
        form["action"], data={"incident": fields["incident"], "email": "f@example.com"}
    )
    assert answer.status_code in (200, 202)
    from statuspage.models import SubscriberIncident

    with db.session_scope(app.config["DATABASE_URL"]) as s:
        follower = s.exec(select(Subscriber).where(Subscriber.email == "f@example.com"))
        subscriber = follower.one()
        assert subscriber.confirmed_at is None
        link = s.exec(select(SubscriberIncident)).one()
        assert (link.subscriber_id, link.incident_id) == (subscriber.id, created["id"])
