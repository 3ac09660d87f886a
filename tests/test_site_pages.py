"""The public pages: history, components, maintenance, uptime, subscribe, badge,
themes; and the ways to create maintenance (API and command)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from statuspage import db
from statuspage.maintenance import add_maintenance
from statuspage.models import Incident, IncidentComponent, UpdateComponent

from .test_render import (
    T0,
    add_component,
    add_update,
    page,
    populate,
    run_build,
    settings,
    text,
    tree,
)

NOW = T0 + timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[1]


# --- history -------------------------------------------------------------------------


def add_monthly_incidents(url: str, months: int) -> None:
    with db.session_scope(url) as s:
        for n in range(months):
            at = T0.replace(day=15) - timedelta(days=31 * n)
            s.add(
                Incident(
                    title=f"Incident {at:%Y-%m}",
                    severity="SEV-3",
                    status="resolved",
                    declared_at=at,
                    resolved_at=at,
                    updated_at=at,
                )
            )


def test_history_shows_three_months_then_pages_by_month(
    url: str, tmp_path: Path
) -> None:
    add_monthly_incidents(url, 6)
    site = run_build(url, tmp_path, now=NOW).out_dir
    soup = page(site, "history.html")
    shown = [text(s.h2) for s in soup.find_all("section", class_="month")]
    assert shown == ["November 2026", "October 2026", "September 2026"]
    older = soup.find("nav", class_="pagination").a
    assert (text(older), older["href"]) == (
        "Older: August 2026",
        "history/2026-08.html",
    )
    archive = [text(li) for li in soup.find("ul", class_="archive__months")("li")]
    assert archive[0] == "November 2026 (1 incident)"
    assert len(archive) == 6
    month = page(site, "history/2026-08.html")
    assert text(month.h1) == "Incident history: August 2026"
    assert [text(a) for a in month.find("ul", class_="incident-list")("a")] == [
        "Incident 2026-08"
    ]
    nav = {
        a["rel"][0]: a["href"]
        for a in month.find("nav", class_="pagination")("a")
        if a.get("rel")
    }
    assert nav == {
        "prev": "../history/2026-09.html",
        "next": "../history/2026-07.html",
    }
    first = month.find("ul", class_="incident-list").a
    assert first["href"] == "../incidents/4.html"


def test_a_month_without_incidents_says_so(url: str, tmp_path: Path) -> None:
    with db.session_scope(url) as s:
        at = T0 - timedelta(days=62)  # September; October has none
        s.add(Incident(title="Old", severity="SEV-4", declared_at=at, updated_at=at))
    site = run_build(url, tmp_path, now=NOW).out_dir
    main = text(page(site, "history/2026-10.html").find("main"))
    assert main.startswith("Incident history: October 2026 No incidents reported.")


# --- components and uptime -----------------------------------------------------------


def uptime_data(url: str) -> int:
    with db.session_scope(url) as s:
        x = add_component(s, "Search")
        x.created_at = T0 - timedelta(days=5)
        incident = Incident(
            title="Search errors",
            severity="SEV-2",
            status="resolved",
            declared_at=T0 - timedelta(days=3),
            updated_at=T0 - timedelta(days=1),
        )
        s.add(incident)
        s.flush()
        s.add(
            IncidentComponent(
                incident_id=incident.id, component_id=x.id, status="operational"
            )
        )

        def change(at, old, new):  # type: ignore[no-untyped-def]
            u = add_update(s, incident, at, "identified", current_impact="x")
            s.add(
                UpdateComponent(
                    update_id=u.id, component_id=x.id, old_status=old, new_status=new
                )
            )

        day = T0.replace(hour=10, minute=0) - timedelta(days=3)
        change(day, "operational", "major_outage")
        change(day + timedelta(minutes=42), "major_outage", "operational")
        day += timedelta(days=1)
        change(day, "operational", "partial_outage")
        change(day + timedelta(minutes=90), "partial_outage", "operational")
        day += timedelta(days=1)
        change(day, "operational", "degraded_performance")
        change(day + timedelta(hours=1), "degraded_performance", "operational")
        add_maintenance(
            s,
            title="Reindex",
            starts=T0.replace(hour=10, minute=0) - timedelta(days=2),
            ends=T0.replace(hour=11, minute=0) - timedelta(days=2),
            components=["Search"],
            status="completed",
            now=T0 - timedelta(days=4),
        )
        return x.id


def test_uptime_bars_colour_days_and_count_outage_minutes(
    url: str, tmp_path: Path
) -> None:
    component = uptime_data(url)
    site = run_build(url, tmp_path, now=NOW).out_dir
    section = page(site, "index.html").find(
        "section", attrs={"aria-labelledby": f"uptime-{component}"}
    )
    days = section.find("ol", class_="uptime__days")("li")
    assert len(days) == 90
    last = [(d["class"][1], text(d)) for d in days[-7:]]
    assert last == [
        ("day--no_data", "20 Nov 2026: No data"),
        ("day--operational", "21 Nov 2026: Operational"),  # created 16:00
        ("day--operational", "22 Nov 2026: Operational"),
        ("day--major_outage", "23 Nov 2026: Major Outage, 42 minutes of outage"),
        # 90 minutes of partial outage, 60 of them inside the maintenance window.
        ("day--partial_outage", "24 Nov 2026: Partial Outage, 30 minutes of outage"),
        ("day--degraded_performance", "25 Nov 2026: Degraded Performance"),
        ("day--operational", "26 Nov 2026: Operational"),
    ]
    assert text(section.find(class_="uptime__summary")) == (
        "99.12% uptime over the last 90 days"
    )
    # The component's own page shows the same bar and its incidents.
    own = page(site, f"components/{component}.html")
    assert text(own.h1) == "Search"
    assert own.find("ol", class_="uptime__days") is not None
    assert [text(a) for a in own.find("ul", class_="incident-list")("a")] == [
        "Search errors"
    ]


def test_component_page_lists_only_its_incidents(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path, now=NOW).out_dir
    checkout = page(site, "components/5.html")
    assert text(checkout.h1) == "Checkout"
    assert "Status Major Outage" in text(checkout.find("dl"))
    assert "Group Payments" in text(checkout.find("dl"))
    assert [a["href"] for a in checkout.find("ul", class_="incident-list")("a")] == [
        "../incidents/3.html"
    ]
    docs = page(site, "components/2.html")
    assert "No incidents have affected Docs." in text(docs.find("main"))
    index = page(site, "index.html")
    links = {
        text(a): a["href"] for a in index.find("section", class_="uptime-list")("a")
    }
    assert links["Checkout"] == "components/5.html"


# --- maintenance ---------------------------------------------------------------------


def test_front_page_shows_active_and_upcoming_maintenance(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    with db.session_scope(url) as s:
        add_maintenance(
            s,
            title="Database upgrade",
            starts=NOW + timedelta(days=1),
            ends=NOW + timedelta(days=1, hours=2),
            components=["Database"],
            body="Reads **stay** available.",
            now=T0,
        )
        add_maintenance(
            s,
            title="Network work",
            starts=NOW - timedelta(minutes=10),
            ends=NOW + timedelta(minutes=50),
            components=["CDN"],
            now=T0,
        )
        add_maintenance(
            s,
            title="Finished work",
            starts=NOW - timedelta(days=3),
            ends=NOW - timedelta(days=3) + timedelta(hours=1),
            now=T0,
        )
    soup = page(run_build(url, tmp_path, now=NOW).out_dir, "index.html")
    active = soup.find("section", class_="maintenances--active")
    upcoming = soup.find("section", class_="maintenances--upcoming")
    assert [text(h) for h in active("h3")] == ["Network work"]
    assert [text(h) for h in upcoming("h3")] == ["Database upgrade"]
    item = upcoming.find("article")
    assert text(item.find(class_="maintenance__meta")) == (
        "Scheduled · 27 Nov 2026, 17:00 UTC to 27 Nov 2026, 19:00 UTC"
    )
    assert text(item.find(class_="maintenance__components")) == "Affects: Database"
    assert text(item.find("strong")) == "stay"
    assert "Finished work" not in text(soup)


def test_maintenance_api_creates_it_and_publishes(app, client, token) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/maintenances",
        json={
            "title": "Checkout upgrade",
            "scheduled_for": "2026-11-27T02:00:00Z",
            "scheduled_until": "2026-11-27T03:00:00Z",
            "components": ["Checkout"],
            "body": "Payments pause for up to 10 minutes.",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["publish_error"] is None
    assert response.json["scheduled_for"] == "2026-11-27T02:00:00.000Z"
    site = Path(app.config["SITE_DIR"])
    upcoming = json.loads(
        (site / "api/v2/scheduled-maintenances/upcoming.json").read_text()
    )
    assert [m["name"] for m in upcoming["scheduled_maintenances"]] == [
        "Checkout upgrade"
    ]
    bad = client.post(
        "/api/v1/maintenances",
        json={
            "title": "x",
            "scheduled_for": "2026-11-27T03:00:00Z",
            "scheduled_until": "2026-11-27T02:00:00Z",
            "components": ["Nope"],
        },
        headers=headers,
    )
    assert bad.status_code == 422
    assert client.post("/api/v1/maintenances", json={}).status_code == 401


def test_maintenance_add_command(app, runner) -> None:
    result = runner.invoke(
        args=[
            "maintenance",
            "add",
            "Dashboard upgrade",
            "--starts",
            "2030-01-01T02:00Z",
            "--ends",
            "2030-01-01T04:00Z",
            "--component",
            "Dashboard",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Scheduled maintenance #1: Dashboard upgrade" in result.output
    index = (Path(app.config["SITE_DIR"]) / "index.html").read_text()
    assert "Dashboard upgrade" in index
    wrong = runner.invoke(
        args=["maintenance", "add", "x", "--starts", "tomorrow", "--ends", "later"]
    )
    assert wrong.exit_code == 1 and "ISO 8601" in wrong.output


# --- subscribe, badge, widget, themes ------------------------------------------------


def test_subscribe_form_posts_to_the_app(url: str, tmp_path: Path) -> None:
    populate(url)
    config = settings(tmp_path, APP_URL="https://app.example.com/")
    soup = page(run_build(url, tmp_path, config=config).out_dir, "subscribe.html")
    form = soup.find("form", class_="subscribe")
    assert form["method"] == "post"
    assert form["action"] == "https://app.example.com/subscribe"
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    boxes = form.find_all("input", attrs={"name": "components"})
    labels = [text(soup.find("label", attrs={"for": b["id"]})) for b in boxes]
    assert labels[:2] == ["Website", "Docs"] and len(boxes) == 8
    modes = [i["value"] for i in form.find_all("input", attrs={"name": "mode"})]
    assert modes == ["every_update", "daily_digest", "weekly_digest"]
    same_origin = page(run_build(url, tmp_path).out_dir, "subscribe.html")
    assert same_origin.find("form")["action"] == "/subscribe"


def test_badge_and_widget(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    badge = (site / "badge.svg").read_text()
    assert badge.lstrip().startswith("<svg")
    assert 'aria-label="status: Major System Outage"' in badge
    assert "#b4232f" in badge
    import xml.etree.ElementTree as ET

    ET.fromstring(badge)  # well-formed
    widget = (site / "static/widget.js").read_text()
    assert "api/v2/status.json" in widget


def test_minimal_theme_overrides_only_some_templates(url: str, tmp_path: Path) -> None:
    populate(url)
    default = run_build(url, tmp_path, out_dir=tmp_path / "a").out_dir
    minimal = run_build(
        url,
        tmp_path,
        out_dir=tmp_path / "b",
        config=settings(tmp_path, THEME="minimal"),
    ).out_dir
    soup = page(minimal, "index.html")
    sheets = [x["href"] for x in soup.find_all("link", rel="stylesheet")]
    assert sheets == ["static/style.css", "static/minimal.css"]
    assert text(soup.find(class_="minimal-note")).startswith("This page is plain files")
    assert text(soup.footer).startswith("Times in UTC")
    # Templates it does not override still come from default: same content.
    a, b = page(default, "incidents/3.html"), page(minimal, "incidents/3.html")
    assert str(a.find("main")) == str(b.find("main"))
    assert (minimal / "static/minimal.css").is_file()
    assert tree(default)["static/style.css"] == tree(minimal)["static/style.css"]


def test_theme_docs_are_up_to_date() -> None:
    before = (ROOT / "docs/themes.md").read_text()
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs/gen_themes.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    after = (ROOT / "docs/themes.md").read_text()
    if after != before:
        (ROOT / "docs/themes.md").write_text(before)
    assert done.returncode == 0, done.stderr
    assert after == before, "run: python docs/gen_themes.py"
