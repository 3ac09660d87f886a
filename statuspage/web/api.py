"""JSON API for automation, with bearer tokens: /api/v1/incidents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from sqlmodel import select
from werkzeug.wrappers import Response

from .. import incidents as service
from ..accounts import check_token
from ..db import SchemaBehind, check_schema, get_session
from ..models import Component, Incident, IncidentComponent, Update
from ..roles import person, roles_of
from ..rules.elements import Draft
from . import now, settings
from .publish import publish_site

bp = Blueprint("api", __name__, url_prefix="/api/v1")

UPDATE_FIELDS = (
    "status",
    "current_impact",
    "current_action",
    "user_action",
    "next_update_at",
    "body",
    "cause_confirmed",
    "components",
)


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


@bp.before_request
def authenticate() -> tuple[Response, int] | None:
    """Every API call needs `Authorization: Bearer <token>`."""
    if not current_app.extensions.get("statuspage_schema_ok"):
        try:
            check_schema(current_app.config["DATABASE_URL"])
        except SchemaBehind as exc:
            return _error(503, str(exc))
        current_app.extensions["statuspage_schema_ok"] = True
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    row = None
    if scheme.lower() == "bearer" and token.strip():
        session = get_session()
        row = check_token(session, token.strip(), now())
        if row is not None:
            session.commit()
    if row is None:
        response, status = _error(
            401, "A valid API token is required: Authorization: Bearer <token>."
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="statuspage"'
        return response, status
    g.token = row
    return None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _parse_time(value: Any) -> tuple[datetime | None, str | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, "Give next_update_at as an ISO 8601 string."
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, f"{value!r} is not an ISO 8601 date and time."
    if moment.tzinfo is None:
        return None, (
            "next_update_at needs a time zone offset, e.g. 2026-11-26T16:45:00Z."
        )
    return moment, None


def _draft(data: dict[str, Any], default_status: str) -> tuple[Draft, dict[str, str]]:
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name in ("current_impact", "current_action", "user_action", "body"):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = f"{name} must be a string."
            value = ""
        texts[name] = value
    status = data.get("status", default_status)
    if not isinstance(status, str):
        errors["status"] = "status must be a string."
        status = default_status
    next_at, error = _parse_time(data.get("next_update_at"))
    if error:
        errors["next_update_at"] = error
    confirmed = data.get("cause_confirmed", False)
    if not isinstance(confirmed, bool):
        errors["cause_confirmed"] = "cause_confirmed must be true or false."
        confirmed = False
    return (
        Draft(
            status=status, next_update_at=next_at, cause_confirmed=confirmed, **texts
        ),
        errors,
    )


def _body() -> dict[str, Any] | tuple[Response, int]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return (
            jsonify(
                {
                    "errors": {
                        "body": "Send a JSON object (Content-Type: application/json)."
                    },
                    "findings": [],
                }
            ),
            422,
        )
    return data


def _components_arg(data: dict[str, Any]) -> tuple[dict[str, str] | None, str | None]:
    value = data.get("components")
    if value is None:
        return None, None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return None, "components must be an object of {component name: status}."
    return value, None


def _rejected(
    errors: dict[str, str], findings: list[dict[str, Any]]
) -> tuple[Response, int]:
    return jsonify({"errors": errors, "findings": findings}), 422


def update_json(update: Update) -> dict[str, Any]:
    """One update as the API returns it."""
    return {
        "id": update.id,
        "incident_id": update.incident_id,
        "status": update.status,
        "current_impact": update.current_impact,
        "current_action": update.current_action,
        "user_action": update.user_action,
        "next_update_at": _iso(update.next_update_at),
        "body": update.body,
        "cause_confirmed": update.cause_confirmed,
        "published_at": _iso(update.published_at),
        "guid": update.guid,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    """An incident with its affected components and updates (newest first)."""
    session = get_session()
    names = {c.id: c.name for c in session.exec(select(Component)).all()}
    links = session.exec(
        select(IncidentComponent).where(IncidentComponent.incident_id == incident.id)
    ).all()
    updates = service.updates_of(session, incident.id or 0)
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "declared_at": _iso(incident.declared_at),
        "resolved_at": _iso(incident.resolved_at),
        "updated_at": _iso(incident.updated_at),
        "components": {names[row.component_id]: row.status for row in links},
        "roles": {
            role: person(row)
            for role, row in sorted(roles_of(session, incident.id or 0).items())
        },
        "updates": [update_json(u) for u in reversed(updates)],
    }


@bp.route("/incidents", methods=("POST",))
def create_incident() -> tuple[Response, int]:
    """Declare an incident with its first update."""
    data = _body()
    if isinstance(data, tuple):
        return data
    draft, errors = _draft(data, "investigating")
    components, error = _components_arg(data)
    if error:
        errors["components"] = error
    title = data.get("title", "")
    severity = data.get("severity", "")
    if not isinstance(title, str):
        errors["title"] = "title must be a string."
        title = ""
    if not isinstance(severity, str):
        errors["severity"] = "severity must be a string such as SEV-2."
        severity = ""
    session = get_session()
    try:
        incident, _ = service.declare(
            session,
            title=title,
            severity=severity,
            draft=draft,
            components=components,
            author=None,
            now=now(),
            policy=service.Policy.from_settings(settings()),
            roles=data.get("roles"),
        )
    except service.Rejected as rejected:
        session.rollback()
        body = rejected.review.to_dict()
        return _rejected({**body["errors"], **errors}, body["findings"])
    if errors:
        session.rollback()
        return _rejected(errors, [])
    session.commit()
    error = publish_site(session)
    response = jsonify({**incident_json(incident), "publish_error": error})
    response.headers["Location"] = f"/api/v1/incidents/{incident.id}"
    return response, 201


@bp.route("/incidents/<int:incident_id>/updates", methods=("POST",))
def create_update(incident_id: int) -> tuple[Response, int]:
    """Publish an update on an incident."""
    session = get_session()
    incident = session.get(Incident, incident_id)
    if incident is None:
        return _error(404, f"No incident {incident_id}.")
    data = _body()
    if isinstance(data, tuple):
        return data
    draft, errors = _draft(data, incident.status)
    components, error = _components_arg(data)
    if error:
        errors["components"] = error
    try:
        update = service.add_update(
            session,
            incident,
            draft=draft,
            components=components,
            author=None,
            now=now(),
            policy=service.Policy.from_settings(settings()),
        )
    except service.Rejected as rejected:
        session.rollback()
        body = rejected.review.to_dict()
        return _rejected({**body["errors"], **errors}, body["findings"])
    if errors:
        session.rollback()
        return _rejected(errors, [])
    session.commit()
    body = update_json(update)
    body["publish_error"] = publish_site(session)
    return jsonify(body), 201


@bp.route("/incidents/<int:incident_id>", methods=("GET",))
def get_incident(incident_id: int) -> Response | tuple[Response, int]:
    """One incident with its updates."""
    incident = get_session().get(Incident, incident_id)
    if incident is None:
        return _error(404, f"No incident {incident_id}.")
    return jsonify(incident_json(incident))
