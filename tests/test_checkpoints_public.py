"""The optional on-time line on the public incident page (SHOW_ON_TIME_RATE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bs4 import BeautifulSoup
from sqlmodel import Session

from statuspage import db
from statuspage.render import build

from .checkpoint_helpers import make_incident

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def page(app, out: Path, incident_id: int, **settings) -> BeautifulSoup:
    with Session(db.get_engine(app.config["DATABASE_URL"])) as session:
        build(session, {**app.config, **settings}, out, now=NOW)
    html = (out / "incidents" / f"{incident_id}.html").read_text()
    return BeautifulSoup(html, "html.parser")


def facts(soup: BeautifulSoup) -> dict[str, str]:
    dl = soup.find("dl", class_="incident__facts")
    return {
        dt.get_text(strip=True): dd.get_text(strip=True)
        for dt, dd in zip(dl.find_all("dt"), dl.find_all("dd"), strict=True)
    }


def test_on_time_line_is_off_by_default_and_counts_kept_promises(app, tmp_path):
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        incident = make_incident(
            s,
            "Checkout failing",
            NOW - timedelta(minutes=100),
            [
                ("investigating", 0, 30),  # kept at 25
                ("identified", 25, 55),  # broken: next at 70
                ("monitoring", 70, 85),  # still pending as of the newest update
            ],
        )
    out = tmp_path / "site"
    assert "Updates on time" not in facts(page(app, out, incident.id))
    shown = facts(page(app, out, incident.id, SHOW_ON_TIME_RATE=True))
    assert shown["Updates on time"] == "1 of 2 updates on time"
    # The grace counts: 15 minutes turn the late update into an on-time one.
    graced = facts(
        page(app, out, incident.id, SHOW_ON_TIME_RATE=True, CHECKPOINT_GRACE=15)
    )
    assert graced["Updates on time"] == "2 of 2 updates on time"


def test_no_line_before_any_promise_was_followed(app, tmp_path):
    with Session(db.get_engine(app.config["DATABASE_URL"])) as s:
        incident = make_incident(
            s, "New one", NOW - timedelta(minutes=5), [("investigating", 0, 30)]
        )
    shown = facts(page(app, tmp_path / "site", incident.id, SHOW_ON_TIME_RATE=True))
    assert "Updates on time" not in shown
