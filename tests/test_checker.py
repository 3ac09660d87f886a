"""`statuspage check`: overdue and due-soon incidents, exit status, alerts sent once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from statuspage import background, checker, db
from statuspage.models import Alert

from .checkpoint_helpers import inbox, make_incident, webhook  # noqa: F401

# The conftest clock: 2026-11-26 16:30 UTC.
NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
ROLES = {
    "commander": ("Ada Commander", "ada@example.com"),
    "comms_lead": ("Bo Comms", "bo@example.com"),
}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def incidents(app):
    """#1 overdue (promised 16:20), #2 due at 16:33, #3 due 17:15, #4 resolved."""
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        start = NOW - timedelta(minutes=40)  # 15:50
        one = make_incident(
            s, "Checkout failing", start, [("investigating", 0, 30)], ROLES, "SEV-1"
        )
        two = make_incident(
            s,
            "Slow dashboard",
            start,
            [("investigating", 0, 20), ("identified", 13, 43)],
            {"comms_lead": ("", "carol@example.com")},
        )
        three = make_incident(s, "API errors", start, [("monitoring", 25, 85)])
        four = make_incident(
            s, "Old one", start, [("investigating", 0, 10), ("resolved", 30, None)]
        )
        return one.id, two.id, three.id, four.id


def run(runner, *args: str):
    return runner.invoke(args=["check", *args])


def test_json_lists_overdue_and_due_soon_and_exits_1(runner, incidents):
    one, two, _three, _four = incidents
    result = run(runner, "--json", "--now", "2026-11-26T16:30:00Z")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert set(data) == {"checked_at", "overdue", "due_soon"}
    assert data["checked_at"] == "2026-11-26T16:30:00+00:00"
    assert data["overdue"] == [
        {
            "incident_id": one,
            "title": "Checkout failing",
            "severity": "SEV-1",
            "status": "investigating",
            "update_id": data["overdue"][0]["update_id"],
            "promised_at": "2026-11-26T16:20:00+00:00",
            "deadline": "2026-11-26T16:20:00+00:00",
            "minutes_overdue": 10,
            "commander": {"name": "Ada Commander", "email": "ada@example.com"},
            "comms_lead": {"name": "Bo Comms", "email": "bo@example.com"},
        }
    ]
    [soon] = data["due_soon"]
    assert (soon["incident_id"], soon["minutes_until_due"]) == (two, 3)
    assert soon["promised_at"] == "2026-11-26T16:33:00+00:00"
    assert soon["commander"] is None
    assert soon["comms_lead"] == {"name": "", "email": "carol@example.com"}


def test_exit_0_when_nothing_is_overdue(runner, incidents):
    result = run(runner, "--json", "--now", "2026-11-26T16:15:00Z")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["overdue"] == []
    # #1 due 16:20 is within the 5-minute reminder lead; #2 (16:33) is not yet.
    assert [i["title"] for i in data["due_soon"]] == ["Checkout failing"]


def test_human_output_names_the_people(runner, incidents):
    result = run(runner, "--now", "2026-11-26T16:30:00+00:00")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Checked at 2026-11-26 16:30:00 UTC."
    assert lines[1] == (
        f"OVERDUE  #{incidents[0]} Checkout failing (SEV-1): next update promised by "
        "16:20 UTC, 10 min overdue; commander Ada Commander <ada@example.com>, "
        "comms lead Bo Comms <bo@example.com>"
    )
    assert lines[2].startswith(f"DUE SOON #{incidents[1]} Slow dashboard (SEV-2)")
    assert "due in 3 min; comms lead carol@example.com" in lines[2]


def test_the_app_clock_is_the_default_now(runner, incidents):
    # conftest's clock says 16:30.
    assert run(runner, "--json").exit_code == 1


def test_grace_delays_overdue(app, runner, incidents):
    app.config["CHECKPOINT_GRACE"] = 15
    result = run(runner, "--json", "--now", "2026-11-26T16:30:00Z")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["overdue"] == []
    due = {i["title"]: i for i in data["due_soon"]}
    assert due["Checkout failing"]["minutes_until_due"] == -10
    assert due["Checkout failing"]["deadline"] == "2026-11-26T16:35:00+00:00"
    assert run(runner, "--now", "2026-11-26T16:36:00Z").exit_code == 1


def test_a_later_update_ends_overdue(app, runner, incidents):
    from statuspage.models import Update

    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        s.add(
            Update(
                incident_id=incidents[0],
                status="identified",
                published_at=NOW - timedelta(minutes=2),
                next_update_at=NOW + timedelta(minutes=30),
            )
        )
        s.commit()
    assert run(runner, "--now", "2026-11-26T16:30:00Z").exit_code == 0
    # ...but as of 16:27 that update did not exist yet.
    assert run(runner, "--now", "2026-11-26T16:27:00Z").exit_code == 1


@pytest.mark.parametrize(
    "bad", ["yesterday", "2026-11-26T16:30:00", "2026-13-01T00:00:00Z"]
)
def test_bad_now_is_a_usage_error(runner, incidents, bad):
    result = run(runner, "--now", bad)
    assert result.exit_code == 2
    assert "--now" in result.output
    assert "Traceback" not in result.output


def test_no_open_incidents(runner):
    result = run(runner)
    assert result.exit_code == 0
    assert "No open incident is overdue." in result.output


# --- alerts -------------------------------------------------------------------


@pytest.fixture
def channels(app, inbox, webhook):  # noqa: F811
    box, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        MAIL_FROM="status@acme.test",
        SLACK_WEBHOOK_URL=webhook.url,
        COMPOSER_URL="https://admin.acme.test",
    )
    return box, webhook


def alerts(app) -> list[tuple[int, str, bool]]:
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        rows = s.exec(select(Alert).order_by(Alert.id)).all()  # type: ignore[arg-type]
        return [(r.incident_id, r.kind, r.sent_at is not None) for r in rows]


def test_reminder_overdue_and_escalations_each_go_out_once(
    app, runner, incidents, channels
):
    box, hook = channels
    one = incidents[0]
    steps = [
        ("2026-11-26T16:14:00Z", None),  # six minutes before: nothing yet
        ("2026-11-26T16:15:00Z", "reminder"),
        ("2026-11-26T16:19:00Z", None),  # reminder already sent
        ("2026-11-26T16:21:00Z", "overdue"),
        ("2026-11-26T16:30:00Z", None),
        ("2026-11-26T16:36:00Z", "escalation-1"),
        ("2026-11-26T16:40:00Z", None),
        ("2026-11-26T16:51:00Z", "escalation-2"),
    ]
    seen = 0
    for when, kind in steps:
        run(runner, "--notify", "--now", when)
        mine = [m for m in box.messages if f"#{one} " in m["Subject"]]
        if kind is None:
            assert len(mine) == seen, when
            continue
        seen += 1
        assert len(mine) == seen, when
        message = mine[-1]
        assert set(message["To"].addresses[i].addr_spec for i in range(2)) == {
            "ada@example.com",
            "bo@example.com",
        }
        body = message.get_content()
        if kind == "reminder":
            assert (
                message["Subject"]
                == f"[Acme Status] Update due: #{one} Checkout failing"
            )
            assert "is due at 16:20 UTC, in 5 min" in body
        else:
            assert "Update overdue" in message["Subject"]
            assert "16:20 UTC" in body
        assert f"https://admin.acme.test/admin/incidents/{one}/updates/new" in body
    texts = [p["text"] for p in hook.posts if f"#{one} " in p["text"]]
    assert len(texts) == 4
    assert texts[0].startswith("Reminder: the next public update")
    assert texts[1].startswith("Overdue: customers were promised")
    assert "it is 1 min late" in texts[1]
    assert "16 min late" in texts[2] and "31 min late" in texts[3]
    kinds = [k for i, k, sent in alerts(app) if i == one and sent]
    assert kinds == ["reminder", "overdue", "escalation-1", "escalation-2"]


def test_a_checker_that_was_down_sends_only_the_current_step(
    app, runner, incidents, channels
):
    box, hook = channels
    run(runner, "--notify", "--now", "2026-11-26T17:00:00Z")
    one = incidents[0]
    assert [k for i, k, _ in alerts(app) if i == one] == ["escalation-2"]


def test_webhook_retries_a_server_error(app, incidents, channels):
    box, hook = channels
    hook.answers = [503]
    _result, sent = checker.run_once(app.config, NOW)
    overdue = [s for s in sent if s.kind == "overdue"]
    assert overdue and overdue[0].channels == ["email", "webhook"]
    assert overdue[0].errors == []
    assert len(hook.posts) == len(sent) + 1  # one failed attempt, then retried


def test_a_dead_webhook_is_retried_alone_and_email_goes_once(
    app, incidents, channels, monkeypatch
):
    box, hook = channels
    monkeypatch.setattr(checker, "WEBHOOK_BACKOFF", 0)
    from .checkpoint_helpers import free_port

    app.config["SLACK_WEBHOOK_URL"] = f"http://127.0.0.1:{free_port()}/hook"
    _result, sent = checker.run_once(app.config, NOW)
    overdue = next(s for s in sent if s.kind == "overdue")
    assert overdue.channels == ["email"]
    assert overdue.errors and overdue.errors[0].startswith("webhook:")
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        row = s.exec(select(Alert).where(Alert.kind == "overdue")).one()
        assert "webhook" in row.last_error and row.sent_at is None
        assert row.channels_done == "email"
    emails = len(box.messages)
    # Within the backoff nobody retries; after it, only the failed channel is.
    assert checker.run_once(app.config, NOW)[1] == []
    app.config["SLACK_WEBHOOK_URL"] = hook.url
    _result, retried = checker.run_once(app.config, NOW + timedelta(minutes=2))
    overdue = next(s for s in retried if s.kind == "overdue")
    assert overdue.channels == ["webhook"] and overdue.errors == []
    assert len(box.messages) == emails
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        row = s.exec(select(Alert).where(Alert.kind == "overdue")).one()
        assert row.sent_at is not None and row.attempts == 2
    assert checker.run_once(app.config, NOW + timedelta(minutes=3))[1] == []


def test_no_roles_means_webhook_only(app, incidents, channels):
    box, hook = channels
    _result, sent = checker.run_once(app.config, NOW + timedelta(minutes=4))
    two = next(s for s in sent if s.incident_id == incidents[1])
    assert two.channels == ["email", "webhook"]  # carol is the comms lead
    three_at = NOW + timedelta(minutes=42)  # API errors due 17:15, lead 5
    _result, sent = checker.run_once(app.config, three_at)
    three = next(s for s in sent if s.incident_id == incidents[2])
    assert three.channels == ["webhook"]
    assert "no commander or comms lead" in three.errors[0]


@pytest.mark.both_backends
def test_two_concurrent_checkers_send_each_alert_once(app, channels):
    box, hook = channels
    url = app.config["DATABASE_URL"]
    with Session(db.get_engine(url)) as s:
        ids = [
            make_incident(
                s,
                f"Incident {n}",
                NOW - timedelta(minutes=40),
                [("identified", 0, 30)],
                {"comms_lead": ("", f"lead{n}@example.com")},
            ).id
            for n in range(8)
        ]
    settings = dict(app.config)

    def work(barrier, slot, results, errors) -> None:
        try:
            barrier.wait()
            results[slot] = checker.run_once(settings, NOW)[1]
        except BaseException as exc:  # reported below
            errors.append(exc)

    for round_ in range(3):  # three rounds at the same instant: still once each
        barrier = threading.Barrier(2)
        results: list[list[checker.Sent]] = [[], []]
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=work, args=(barrier, i, results, errors))
            for i in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        sent = results[0] + results[1]
        assert len(sent) == (8 if round_ == 0 else 0)
    assert sorted(str(m["To"]) for m in box.messages) == sorted(
        f"lead{n}@example.com" for n in range(8)
    )
    assert len(hook.posts) == 8
    assert sorted(i for i, k, sent in alerts(app)) == sorted(ids)


def test_in_app_job_runs_the_check_and_sends(app, incidents, channels):
    box, hook = channels
    app.config.update(BACKGROUND_JOBS=True, CHECK_INTERVAL=30)
    names = [j.name for j in app.extensions["statuspage_jobs"]]
    assert "checkpoints" in names
    app.extensions["statuspage_jobs"] = [
        j for j in app.extensions["statuspage_jobs"] if j.name == "checkpoints"
    ]
    threads = background.start(app)
    try:
        assert [t.name for t in threads] == ["statuspage-checkpoints"]
        assert box.arrived.wait(20), "no alert email arrived"
    finally:
        background.stop(app)
        for t in threads:
            t.join(20)
    assert any("Update overdue" in m["Subject"] for m in box.messages)


def test_check_interval_0_turns_the_job_off(app):
    app.config["CHECK_INTERVAL"] = 0
    job = next(j for j in app.extensions["statuspage_jobs"] if j.name == "checkpoints")
    assert job.interval(app) == 0
    app.extensions["statuspage_jobs"] = [job]
    assert background.start(app) == []


def test_a_check_that_cannot_run_exits_2_not_1(app, runner):
    from statuspage.db import dispose_engine

    app.config["DATABASE_URL"] = f"sqlite:///{app.instance_path}/missing/none.db"
    try:
        result = run(runner, "--json")
    finally:
        dispose_engine(app.config["DATABASE_URL"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
