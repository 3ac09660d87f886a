"""`statuspage audit`: promise phrases in Statuspage updates, and a page's ledger."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from statuspage.audit import parse_promise
from statuspage.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "incidents.json"
PUBLISHED = datetime(2026, 11, 26, 16, 5, tzinfo=UTC)  # a Thursday, PST in force


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We are investigating. Next update in 30 minutes.", "16:35"),
        ("We will provide an update within the hour.", "17:05"),
        ("We'll post another update by 16:45 UTC.", "16:45"),
        ("Next update at 14:30 PT.", "22:30"),  # PST = UTC-8 in November
        ("We will update you in 1 hour.", "17:05"),
        ("Next update in 2 hours", "18:05"),
        ("Next update by 4:45 PM ET.", "21:45"),
        ("next update at 4:45pm EST", "21:45"),
        ("We will share more information in half an hour.", "16:35"),
        ("Next update in about 45 mins.", "16:50"),
        ("Updates to follow within the next 15 minutes.", "16:20"),
        ("We will provide another update in the next hour", "17:05"),
        ("Next update in fifteen minutes.", "16:20"),
        ("Next update by 17:00 GMT", "17:00"),
        ("Next update at 09:30 CET", "08:30+1"),  # 09:30 in Berlin is past
        (
            "Started at 11:00 UTC. We are investigating; next update at 17:00 UTC.",
            "17:00",
        ),
        ("Started at 11:00 UTC, next update at 17:00 UTC.", "17:00"),
        # A clock time already past means tomorrow.
        ("Next update by 09:00 UTC.", "09:00+1"),
        # Without a zone: the page's zone (UTC here).
        ("We will post an update at 16:40.", "16:40"),
        # No promise.
        ("We are investigating.", None),
        ("The issue began at 14:30 PT and is being investigated.", None),
        ("We will update this page as we learn more.", None),
        ("Next update soon.", None),
        ("We will update by 5 regions first.", None),
        ("", None),
    ],
)
def test_promise_phrases(text: str, expected: str | None) -> None:
    found = parse_promise(text, PUBLISHED)
    if expected is None:
        assert found is None
        return
    assert found is not None, text
    day = 27 if expected.endswith("+1") else 26
    hour, minute = expected.removesuffix("+1").split(":")
    assert found.at == datetime(2026, 11, day, int(hour), int(minute), tzinfo=UTC)
    assert found.phrase.lower() in text.lower()


def test_zoneless_times_are_read_in_the_page_zone() -> None:
    found = parse_promise("Next update at 8:45 AM.", PUBLISHED, "America/New_York")
    assert found is not None
    assert found.at == datetime(2026, 11, 27, 13, 45, tzinfo=UTC)  # 08:45 EST


def test_summer_time_in_pt_is_pdt() -> None:
    june = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 13:00 PDT
    found = parse_promise("Next update at 14:30 PT.", june)
    assert found is not None
    assert found.at == datetime(2026, 6, 10, 21, 30, tzinfo=UTC)


def audit_json(runner, source: str) -> dict:
    result = runner.invoke(args=["audit", source, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_name(data: dict) -> dict[str, dict]:
    return {i["name"]: i for i in data["incidents"]}


def test_audit_of_the_fixture(runner) -> None:
    data = audit_json(runner, str(FIXTURE))
    assert data["page"] == "Acme Cloud"
    incidents = by_name(data)
    api = incidents["Elevated API error rates"]
    assert (api["updates"], api["promises"], api["kept"], api["broken"]) == (4, 3, 2, 1)
    assert api["on_time_rate"] == 0.667
    assert (api["median_lateness"], api["worst_lateness"]) == (8.0, 8.0)
    assert api["first_update_after"] == 3.0
    assert api["median_interval"] == 29.0
    assert [u["id"] for u in api["timeline"]] == ["u-a1", "u-a2", "u-a3", "u-a4"]
    assert [u["phrase"] for u in api["timeline"]] == [
        "in 30 minutes",
        "within the hour",
        "by 16:15 UTC",
        None,
    ]
    assert [u["promise"] for u in api["timeline"]] == ["kept", "broken", "kept", None]
    hooks = incidents["Delayed webhooks"]
    assert hooks["timeline"][0]["promised_at"] == "2026-11-21T22:30:00+00:00"
    assert (hooks["broken"], hooks["worst_lateness"]) == (1, 15.0)
    assert hooks["without_promise"] == 1  # the monitoring update promised nothing
    login = incidents["Login failures"]
    assert login["broken"] == 1 and login["pending"] == 0  # long overdue
    total = data["total"]
    assert total["incidents"] == 3
    assert (total["promises"], total["kept"], total["broken"]) == (5, 2, 3)
    assert total["without_promise"] == 1


def test_audit_reads_well(runner) -> None:
    result = runner.invoke(args=["audit", str(FIXTURE)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Page: Acme Cloud"
    assert "Elevated API error rates (ap4x9s0n2b7e, resolved)" in lines
    assert (
        '    14:33 identified: "within the hour" -> 15:33 UTC, broken, 8 min late'
        in (lines)
    )
    assert lines[-3] == "Total over 3 incident(s):"


@pytest.fixture
def runner():
    """The `statuspage` group itself: audit needs no app or database."""

    class Runner:
        def invoke(self, args):
            return CliRunner().invoke(main, args)

    return Runner()


@pytest.fixture
def served():
    """The fixture served over HTTP on loopback at /api/v2/incidents.json."""
    body = FIXTURE.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            ok = self.path == "/api/v2/incidents.json"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            payload = body if ok else b"{}"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_audit_fetches_a_page_url(runner, served) -> None:
    data = audit_json(runner, served)  # the page's address: the API path is added
    assert data["total"]["promises"] == 5
    direct = audit_json(runner, served + "/api/v2/incidents.json")
    assert direct["total"]["kept"] == data["total"]["kept"] == 2
    missing = runner.invoke(args=["audit", served + "/other.json"])
    assert missing.exit_code == 1
    assert "answered HTTP 404" in missing.output


def _broken(tmp_path: Path, mutate) -> str:
    data = json.loads(FIXTURE.read_text())
    mutate(data)
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["incidents"][2]["incident_updates"][1].update(
                created_at="yesterday", display_at=None
            ),
            'incident ap4x9s0n2b7e ("Elevated API error rates"), update u-a3: '
            "created_at 'yesterday' is not an ISO 8601 time",
        ),
        (
            lambda d: d["incidents"][1]["incident_updates"][0].update(body=42),
            'incident wh7k2m1q9d3r ("Delayed webhooks"), update u-b3: body is not text',
        ),
        (
            lambda d: d["incidents"][0].pop("incident_updates"),
            'incident cp306tmzcl0y ("Login failures"): incident_updates is missing',
        ),
        (lambda d: d.pop("incidents"), 'an object with an "incidents" list'),
    ],
)
def test_malformed_input_names_the_incident_and_update(
    runner, tmp_path, mutate, message
) -> None:
    result = runner.invoke(args=["audit", _broken(tmp_path, mutate)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_not_json_and_missing_file(runner, tmp_path) -> None:
    path = tmp_path / "page.json"
    path.write_text("<html>not json</html>")
    result = runner.invoke(args=["audit", str(path)])
    assert result.exit_code == 1 and "is not JSON" in result.output
    result = runner.invoke(args=["audit", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "cannot read" in result.output
