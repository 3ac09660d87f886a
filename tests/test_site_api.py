"""The api/v2 files: Atlassian Statuspage's shapes, field names and values."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from statuspage import db
from statuspage.maintenance import add_maintenance
from statuspage.models import Incident

from .test_render import T0, populate, run_build, settings

NOW = T0 + timedelta(hours=1)
PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description",
    "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "impact", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "started_at", "shortlink", "page_id", "incident_updates",
    "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications",
}  # fmt: skip
ISO = "%Y-%m-%dT%H:%M:%S.%f%z"


def add_windows(url: str) -> None:
    with db.session_scope(url) as s:
        add_maintenance(
            s,
            title="Database upgrade",
            starts=NOW + timedelta(days=2),
            ends=NOW + timedelta(days=2, hours=2),
            components=["Database"],
            body="Reads stay available.",
            now=T0,
        )
        add_maintenance(
            s,
            title="Network work",
            starts=NOW - timedelta(minutes=30),
            ends=NOW + timedelta(minutes=30),
            components=["CDN", "Website"],
            now=T0,
        )
        add_maintenance(
            s,
            title="Old work",
            starts=T0 - timedelta(days=20),
            ends=T0 - timedelta(days=20) + timedelta(hours=1),
            status="completed",
            now=T0 - timedelta(days=21),
        )


def api(site: Path, name: str) -> dict[str, Any]:
    return json.loads((site / "api/v2" / name).read_text(encoding="utf-8"))


def built(url: str, tmp_path: Path) -> Path:
    populate(url)
    add_windows(url)
    return run_build(url, tmp_path, now=NOW).out_dir


def test_every_file_has_statuspage_fields(url: str, tmp_path: Path) -> None:
    site = built(url, tmp_path)
    summary = api(site, "summary.json")
    assert set(summary) == {
        "page",
        "components",
        "incidents",
        "scheduled_maintenances",
        "status",
    }
    page = summary["page"]
    assert set(page) == PAGE_KEYS
    assert page["name"] == "Acme Status"
    assert page["url"] == "https://status.example.com"
    assert page["updated_at"] == "2026-11-26T17:00:00.000Z"
    assert isinstance(page["id"], str) and len(page["id"]) == 12
    for name, key in [
        ("status.json", "status"),
        ("components.json", "components"),
        ("incidents.json", "incidents"),
        ("incidents/unresolved.json", "incidents"),
        ("scheduled-maintenances.json", "scheduled_maintenances"),
        ("scheduled-maintenances/upcoming.json", "scheduled_maintenances"),
        ("scheduled-maintenances/active.json", "scheduled_maintenances"),
    ]:
        body = api(site, name)
        assert set(body) == {"page", key}, name
        assert body["page"] == page, name
    assert api(site, "status.json")["status"] == {
        "indicator": "critical",
        "description": "Major System Outage",
    }
    assert summary["status"] == api(site, "status.json")["status"]


def test_components_and_groups(url: str, tmp_path: Path) -> None:
    site = built(url, tmp_path)
    components = api(site, "components.json")["components"]
    for c in components:
        assert COMPONENT_KEYS <= set(c), c["name"]
        assert isinstance(c["id"], str)
        datetime.strptime(c["created_at"], ISO)
    by_name = {c["name"]: c for c in components}
    assert [c["position"] for c in components] == list(range(1, len(components) + 1))
    checkout, payments = by_name["Checkout"], by_name["Payments"]
    assert checkout["status"] == "major_outage"
    assert checkout["group"] is False
    assert checkout["group_id"] == payments["id"]
    assert payments["group"] is True
    assert payments["status"] == "major_outage"
    assert checkout["id"] in payments["components"]
    assert by_name["Legacy"]["only_show_if_degraded"] is True
    assert by_name["Website"]["group_id"] is None
    assert by_name["Website"]["description"] is None
    assert by_name["Website"]["start_date"] == "2026-11-26"
    # Every component id is unique, groups included.
    assert len({c["id"] for c in components}) == len(components)
    assert api(site, "summary.json")["components"] == components


def test_incidents_with_updates_newest_first(url: str, tmp_path: Path) -> None:
    site = built(url, tmp_path)
    incidents = api(site, "incidents.json")["incidents"]
    assert [i["name"] for i in incidents] == [
        "Checkout failing",
        "Email delays",
        "Login slow",
    ]
    live = incidents[0]
    assert INCIDENT_KEYS <= set(live)
    assert live["id"] == "3"
    assert live["status"] == "identified"
    assert live["impact"] == "major"  # SEV-2
    assert live["created_at"] == "2026-11-26T16:00:00.000Z"
    assert live["started_at"] == live["created_at"]
    assert live["resolved_at"] is None and live["monitoring_at"] is None
    assert live["shortlink"] == "https://status.example.com/incidents/3.html"
    assert [c["name"] for c in live["components"]] == ["Checkout"]
    first, second = live["incident_updates"]
    assert UPDATE_KEYS <= set(first)
    assert first["status"] == "identified" and second["status"] == "investigating"
    assert first["incident_id"] == "3"
    assert first["body"].startswith(
        "Current impact: All card payments fail at checkout.\n\n"
        "What we are doing: We are rolling back the gateway deploy.\n\n"
        "What you should do: Use PayPal, or retry after 17:00 UTC.\n\n"
        "Next update by 16:45 UTC."
    )
    assert first["affected_components"] == [
        {
            "code": live["components"][0]["id"],
            "name": "Checkout",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert second["affected_components"] is None
    # Our own fields sit beside Statuspage's under their own names.
    assert first["current_impact"] == "All card payments fail at checkout."
    assert first["next_update_at"] == "2026-11-26T16:45:00.000Z"
    assert live["severity"] == "SEV-2"
    old = incidents[2]
    assert old["status"] == "resolved"
    assert old["impact"] == "minor"  # SEV-3
    assert old["resolved_at"] == "2026-10-03T10:00:00.000Z"
    assert old["incident_updates"][0]["next_update_at"] is None
    assert [i["name"] for i in api(site, "incidents/unresolved.json")["incidents"]] == [
        "Checkout failing"
    ]
    assert (
        api(site, "summary.json")["incidents"]
        == api(site, "incidents/unresolved.json")["incidents"]
    )


def test_incidents_json_holds_the_50_most_recent(url: str, tmp_path: Path) -> None:
    with db.session_scope(url) as s:
        for n in range(55):
            s.add(
                Incident(
                    title=f"Incident {n}",
                    severity="SEV-4",
                    status="resolved",
                    declared_at=T0 - timedelta(days=60 - n),
                    resolved_at=T0 - timedelta(days=60 - n),
                    updated_at=T0 - timedelta(days=60 - n),
                )
            )
    site = run_build(url, tmp_path, now=NOW).out_dir
    names = [i["name"] for i in api(site, "incidents.json")["incidents"]]
    assert names == [f"Incident {n}" for n in range(54, 4, -1)]


def test_scheduled_maintenance(url: str, tmp_path: Path) -> None:
    site = built(url, tmp_path)
    upcoming = api(site, "scheduled-maintenances/upcoming.json")
    active = api(site, "scheduled-maintenances/active.json")
    every = api(site, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert [m["name"] for m in upcoming["scheduled_maintenances"]] == [
        "Database upgrade"
    ]
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Network work"]
    assert {m["name"] for m in every} == {
        "Database upgrade",
        "Network work",
        "Old work",
    }
    db_upgrade = upcoming["scheduled_maintenances"][0]
    assert INCIDENT_KEYS <= set(db_upgrade)
    assert db_upgrade["impact"] == "maintenance"
    assert db_upgrade["status"] == "scheduled"
    assert db_upgrade["scheduled_for"] == "2026-11-28T17:00:00.000Z"
    assert db_upgrade["scheduled_until"] == "2026-11-28T19:00:00.000Z"
    assert [c["name"] for c in db_upgrade["components"]] == ["Database"]
    assert db_upgrade["incident_updates"][0]["body"] == "Reads stay available."
    # Maintenance ids never collide with incident ids.
    incident_ids = {i["id"] for i in api(site, "incidents.json")["incidents"]}
    assert not incident_ids & {m["id"] for m in every}
    summary = api(site, "summary.json")["scheduled_maintenances"]
    assert [m["name"] for m in summary] == ["Network work", "Database upgrade"]


def test_a_statuspage_client_reads_it_unchanged(url: str, tmp_path: Path) -> None:
    """The reading code of a typical Statuspage client, run against our files."""
    site = built(url, tmp_path)
    summary = api(site, "summary.json")
    indicator = summary["status"]["indicator"]
    assert indicator in {"none", "minor", "major", "critical", "maintenance"}
    groups = {c["id"]: c for c in summary["components"] if c["group"]}
    leaves = [c for c in summary["components"] if not c["group"]]
    broken = sorted(
        f"{groups[c['group_id']]['name'] if c['group_id'] else '-'}/{c['name']}"
        for c in leaves
        if c["status"] != "operational"
    )
    assert broken == ["Core/API", "Payments/Checkout"]
    for incident in summary["incidents"]:
        latest = max(
            incident["incident_updates"],
            key=lambda u: datetime.strptime(u["display_at"], ISO),
        )
        assert latest["status"] == incident["status"]
        assert datetime.strptime(incident["updated_at"], ISO).tzinfo == UTC


def test_page_id_setting_and_no_public_url(url: str, tmp_path: Path) -> None:
    populate(url)
    config = settings(tmp_path, PUBLIC_URL="", PAGE_ID="abc123def456")
    site = run_build(url, tmp_path, config=config, now=NOW).out_dir
    summary = api(site, "summary.json")
    assert summary["page"]["id"] == "abc123def456"
    assert summary["page"]["url"] == ""
    assert summary["incidents"][0]["shortlink"] == "incidents/3.html"
    assert summary["components"][0]["page_id"] == "abc123def456"


def test_every_file_is_compact_utf8_json_with_a_final_newline(
    url: str, tmp_path: Path
) -> None:
    # Files assembled from cached pieces must read exactly as one json.dumps would
    # write them (CDNs and clients that hash the file see no difference).
    site = built(url, tmp_path)
    files = sorted((site / "api/v2").rglob("*.json"))
    assert len(files) == 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        expected = json.dumps(
            json.loads(text), ensure_ascii=False, separators=(",", ":")
        )
        assert text == expected + "\n", path.name
