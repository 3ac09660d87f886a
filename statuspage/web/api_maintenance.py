"""JSON API for scheduled maintenance: POST /api/v1/maintenances (bearer tokens)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from ..db import get_session
from ..maintenance import MaintenanceError, add_maintenance, parse_time
from ..render.api import iso
from . import api, now
from .publish import publish_site

bp = Blueprint("api_maintenance", __name__, url_prefix="/api/v1")
# The same bearer-token check as the rest of the API.
bp.before_request(api.authenticate)


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


@bp.route("/maintenances", methods=("POST",))
def create() -> tuple[Response, int]:
    """Schedule maintenance: title, scheduled_for, scheduled_until, components."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"errors": {"body": "Send a JSON object."}}), 422
    components = _strings(data.get("components"))
    if components is None:
        return jsonify({"errors": {"components": "A list of component names."}}), 422
    fields = ("title", "scheduled_for", "scheduled_until", "body", "status")
    values = {k: data.get(k, "") for k in fields}
    bad = {
        k: f"{k} must be a string." for k, v in values.items() if not isinstance(v, str)
    }
    if bad:
        return jsonify({"errors": bad}), 422
    session = get_session()
    try:
        maintenance = add_maintenance(
            session,
            title=values["title"],
            starts=parse_time(values["scheduled_for"]),
            ends=parse_time(values["scheduled_until"]),
            components=components,
            body=values["body"],
            status=values["status"] or "scheduled",
            now=now(),
        )
    except MaintenanceError as exc:
        session.rollback()
        return jsonify({"errors": {"maintenance": str(exc)}}), 422
    session.commit()
    body = {
        "id": maintenance.id,
        "title": maintenance.title,
        "status": maintenance.status,
        "scheduled_for": iso(maintenance.scheduled_for),
        "scheduled_until": iso(maintenance.scheduled_until),
        "components": components,
        "publish_error": publish_site(session),
    }
    return jsonify(body), 201
