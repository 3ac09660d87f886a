"""The JSON API: 201 on success, 422 with errors and findings, 401 without a token."""

from __future__ import annotations

import pytest

NEW = {
    "title": "API errors for some requests",
    "severity": "SEV-2",
    "status": "investigating",
    "components": {"API": "partial_outage"},
    "current_impact": "Some API requests fail with an error.",
    "current_action": "We are moving traffic to healthy servers.",
    "user_action": "Retry failed requests after a minute.",
    "next_update_at": "2026-11-26T17:00:00Z",
    "body": "Regions affected: **eu-west**.",
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.both_backends
def test_create_incident_then_update_then_get(client, token):
    response = client.post("/api/v1/incidents", json=NEW, headers=auth(token))
    assert response.status_code == 201, response.get_json()
    incident = response.get_json()
    assert incident["status"] == "investigating"
    assert incident["components"] == {"API": "partial_outage"}
    assert incident["updates"][0]["next_update_at"] == "2026-11-26T17:00:00+00:00"
    assert response.headers["Location"] == f"/api/v1/incidents/{incident['id']}"

    update = client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={
            "status": "identified",
            "current_impact": "Some API requests fail with an error.",
            "current_action": "A bad configuration was pushed; we are reverting it.",
            "user_action": "Retry failed requests after a minute.",
            "next_update_at": "2026-11-26T18:15:00+01:00",
            "cause_confirmed": True,
            "components": {"API": "degraded_performance"},
        },
        headers=auth(token),
    )
    assert update.status_code == 201, update.get_json()
    assert update.get_json()["cause_confirmed"] is True

    got = client.get(f"/api/v1/incidents/{incident['id']}", headers=auth(token))
    assert got.status_code == 200
    body = got.get_json()
    assert body["status"] == "identified"
    assert body["components"] == {"API": "degraded_performance"}
    assert [u["status"] for u in body["updates"]] == ["identified", "investigating"]
    assert body["updates"][0]["next_update_at"] == "2026-11-26T17:15:00+00:00"

    # The public site was rebuilt with the update.
    page = client.get(f"/incidents/{incident['id']}.html")
    assert "A bad configuration was pushed" in page.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer sp_forged"},
    ],
)
def test_401_without_a_valid_token(client, headers):
    response = client.post("/api/v1/incidents", json=NEW, headers=headers)
    assert response.status_code == 401
    assert "token" in response.get_json()["error"]
    assert client.get("/api/v1/incidents/1", headers=headers).status_code == 401


def test_422_names_each_missing_field(client, token):
    body = {k: v for k, v in NEW.items() if k not in ("user_action", "next_update_at")}
    response = client.post("/api/v1/incidents", json=body, headers=auth(token))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"user_action", "next_update_at"}


def test_422_for_speculation_with_findings(client, token):
    body = {**NEW, "current_action": "This is likely due to a bad deploy."}
    response = client.post("/api/v1/incidents", json=body, headers=auth(token))
    assert response.status_code == 422
    data = response.get_json()
    assert data["errors"] == {}
    finding = data["findings"][0]
    assert finding["field"] == "current_action"
    assert finding["severity"] == "block"
    assert body["current_action"][finding["start"] : finding["end"]] == finding["text"]
    assert set(finding) >= {
        "rule",
        "severity",
        "start",
        "end",
        "text",
        "message",
        "suggestion",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"next_update_at": "2026-11-26T17:00:00"}, "next_update_at"),
        ({"next_update_at": "tomorrow"}, "next_update_at"),
        ({"next_update_at": "2026-11-26T16:00:00Z"}, "next_update_at"),
        ({"next_update_at": "2026-11-26T19:00:00Z"}, "next_update_at"),
        ({"severity": "SEV-9"}, "severity"),
        ({"components": {"Nope": "major_outage"}}, "components"),
        ({"components": {"API": "broken"}}, "components"),
        ({"components": ["API"]}, "components"),
        ({"title": ""}, "title"),
        ({"status": "resolved"}, "status"),
    ],
)
def test_422_for_bad_values(client, token, change, field):
    response = client.post(
        "/api/v1/incidents", json={**NEW, **change}, headers=auth(token)
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_422_for_a_non_json_body(client, token):
    response = client.post("/api/v1/incidents", data="hello", headers=auth(token))
    assert response.status_code == 422


def test_404_for_unknown_incident(client, token):
    response = client.post(
        "/api/v1/incidents/42/updates", json=NEW, headers=auth(token)
    )
    assert response.status_code == 404


def test_rejected_update_changes_nothing(client, token):
    created = client.post("/api/v1/incidents", json=NEW, headers=auth(token)).get_json()
    bad = {
        "status": "identified",
        "current_impact": "Some API requests fail.",
        "current_action": "We suspect our cloud provider.",
        "user_action": "Retry.",
        "next_update_at": "2026-11-26T17:00:00Z",
        "components": {"API": "major_outage"},
    }
    response = client.post(
        f"/api/v1/incidents/{created['id']}/updates", json=bad, headers=auth(token)
    )
    assert response.status_code == 422
    after = client.get(f"/api/v1/incidents/{created['id']}", headers=auth(token))
    assert after.get_json()["components"] == {"API": "partial_outage"}
    assert len(after.get_json()["updates"]) == 1
