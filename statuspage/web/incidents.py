"""The composer: dashboard, declare an incident, compose and preview updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlmodel import select
from werkzeug.wrappers import Response

from .. import checkpoints
from .. import incidents as service
from .. import roles as incident_roles
from ..db import get_session
from ..models import SEVERITIES, Component, ComponentStatus, Incident
from ..render import render_update_preview
from ..report import grace_of, ledger
from ..rules.elements import LABELS, STATUSES
from ..rules.review import Review, review
from . import now, settings
from .auth import login_required
from .forms import QUICK_PICKS, ParsedForm, parse_form
from .marking import mark
from .publish import publish_site
from .schema import require_current_schema

bp = Blueprint("incidents", __name__, url_prefix="/admin")
bp.before_request(require_current_schema)

COMPONENT_STATUSES = [s.value for s in ComponentStatus]


def _zone() -> str:
    return (g.user.time_zone if g.user else "") or current_app.config["TIME_ZONE"]


def _components() -> list[Component]:
    return list(
        get_session()
        .exec(select(Component).order_by(Component.position, Component.name))  # type: ignore[arg-type]
        .all()
    )


def _countdown(incident: Incident, moment: datetime) -> dict[str, Any]:
    updates = service.updates_of(get_session(), incident.id or 0)
    latest = updates[-1] if updates else None
    # The checker's rules: red once the promise is broken (past CHECKPOINT_GRACE),
    # amber from REMINDER_LEAD minutes before it.
    promise = checkpoints.open_promise(updates, moment, grace_of(settings()))
    if promise is None:
        return {"due": None, "state": "none", "minutes": None, "latest": latest}
    due = promise.due
    minutes = int((due - moment).total_seconds() // 60)
    lead = timedelta(minutes=float(current_app.config["REMINDER_LEAD"] or 0))
    state = "overdue" if promise.overdue else ("soon" if moment >= due - lead else "ok")
    return {"due": due, "state": state, "minutes": minutes, "latest": latest}


@bp.route("/")
@login_required
def dashboard() -> str:
    """Open incidents with their countdown to the next promised update."""
    moment = now()
    rows = [
        {"incident": i, **_countdown(i, moment)}
        for i in service.open_incidents(get_session())
    ]
    return render_template(
        "incidents/dashboard.html", rows=rows, now=moment, zone=_zone()
    )


def _form_context(parsed: ParsedForm | None, result: Review | None) -> dict[str, Any]:
    moment = now()
    values = parsed.values if parsed else {}
    marked = {}
    preview = None
    if parsed and result is not None:
        texts = {
            "title": parsed.title,
            "current_impact": parsed.draft.current_impact,
            "current_action": parsed.draft.current_action,
            "user_action": parsed.draft.user_action,
            "body": parsed.draft.body,
        }
        marked = {
            name: mark(text, result.findings_for(name))
            for name, text in texts.items()
            if result.findings_for(name)
        }
        preview = _preview_html(parsed)
    return {
        "values": values,
        "errors": (result.errors if result else {}),
        "findings": (result.findings if result else []),
        "marked": marked,
        "preview": preview,
        "labels": LABELS,
        "statuses": STATUSES,
        "severities": SEVERITIES,
        "component_statuses": COMPONENT_STATUSES,
        "components": _components(),
        "quick_picks": QUICK_PICKS,
        "role_labels": incident_roles.LABELS,
        "now": moment,
        "zone": _zone(),
    }


def _preview_html(parsed: ParsedForm, incident: Incident | None = None) -> str:
    names = {c.name: c for c in _components()}
    changes = [
        (name, names[name].status, status)
        for name, status in sorted(parsed.components.items())
        if name in names
    ]
    return render_update_preview(
        settings(),
        incident_title=parsed.title or (incident.title if incident else ""),
        severity=parsed.severity or (incident.severity if incident else ""),
        status=parsed.draft.status
        if parsed.draft.status in STATUSES
        else "investigating",
        current_impact=parsed.draft.current_impact,
        current_action=parsed.draft.current_action,
        user_action=parsed.draft.user_action,
        next_update_at=parsed.draft.next_update_at,
        body=parsed.draft.body,
        published_at=now(),
        component_changes=changes,
    )


def _review(parsed: ParsedForm, incident: Incident | None) -> Review:
    result = review(
        parsed.draft,
        title=parsed.title if incident is None else incident.title,
        severity=parsed.severity if incident is None else incident.severity,
        now=now(),
        max_intervals=current_app.config["MAX_UPDATE_INTERVAL"],
        check_title=incident is None,
    )
    result.errors.update(parsed.errors)
    return result


@bp.route("/incidents/new", methods=("GET", "POST"))
@login_required
def declare() -> str | Response | tuple[str, int]:
    """Declare an incident with its first public update."""
    if request.method == "GET":
        context = _form_context(None, None)
        context["values"] = {
            "status": "investigating",
            "severity": "SEV-2",
            "next_update_in": "30",
        }
        return render_template("incidents/declare.html", **context)
    parsed = parse_form(request.form, _components(), now(), _zone())
    if request.form.get("action") == "preview" or parsed.errors:
        result = _review(parsed, None)
        return render_template(
            "incidents/declare.html", **_form_context(parsed, result)
        )
    session = get_session()
    try:
        incident, _update = service.declare(
            session,
            title=parsed.title,
            severity=parsed.severity,
            draft=parsed.draft,
            components=parsed.components,
            author=g.user,
            now=now(),
            policy=service.Policy.from_settings(settings()),
            roles=_roles_form(),
        )
    except service.Rejected as rejected:
        session.rollback()
        return (
            render_template(
                "incidents/declare.html", **_form_context(parsed, rejected.review)
            ),
            422,
        )
    session.commit()
    _publish(session)
    flash(f"Incident #{incident.id} declared and its first update published.")
    return redirect(url_for("incidents.detail", incident_id=incident.id))


def _publish(session: Any) -> None:
    error = publish_site(session)
    if error:
        flash(error, "error")


def _incident_or_404(incident_id: int) -> Incident:
    incident = get_session().get(Incident, incident_id)
    if incident is None:
        abort(404)
    return incident


@bp.route("/incidents/<int:incident_id>")
@login_required
def detail(incident_id: int) -> str:
    """One incident: its updates, newest first, and a link to compose the next."""
    incident = _incident_or_404(incident_id)
    session = get_session()
    updates = list(reversed(service.updates_of(session, incident_id)))
    promises, figures = ledger(session, incident, now(), grace_of(settings()))
    roles = incident_roles.roles_of(session, incident_id)
    return render_template(
        "incidents/detail.html",
        incident=incident,
        updates=updates,
        countdown=_countdown(incident, now()),
        zone=_zone(),
        promises={p.update_id: p for p in promises},
        figures=figures,
        roles=roles,
        role_values={role: row.email for role, row in roles.items()},
        role_labels=incident_roles.LABELS,
    )


def _roles_form() -> dict[str, str]:
    return {
        role: request.form[f"role_{role}"]
        for role in incident_roles.LABELS
        if f"role_{role}" in request.form
    }


@bp.route("/incidents/<int:incident_id>/roles", methods=("POST",))
@login_required
def assign_roles(incident_id: int) -> Response:
    """Assign the incident's roles (commander, comms lead...) by email."""
    incident = _incident_or_404(incident_id)
    wanted, error = incident_roles.validate(_roles_form())
    if error:
        flash(error, "error")
    else:
        session = get_session()
        incident_roles.assign(session, incident.id or 0, wanted, now())
        session.commit()
        flash("Roles saved.")
    return redirect(url_for("incidents.detail", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/updates/new", methods=("GET", "POST"))
@login_required
def compose(incident_id: int) -> str | Response | tuple[str, int]:
    """Compose, preview and publish an update."""
    incident = _incident_or_404(incident_id)
    if request.method == "GET":
        context = _form_context(None, None)
        context["values"] = {
            "status": incident.status
            if incident.status in ("investigating", "identified", "monitoring")
            else "investigating",
            "next_update_in": "30",
        }
        return render_template("incidents/compose.html", incident=incident, **context)
    parsed = parse_form(
        request.form,
        _components(),
        now(),
        _zone(),
        title=incident.title,
        severity=incident.severity,
    )
    if request.form.get("action") == "preview" or parsed.errors:
        result = _review(parsed, incident)
        return render_template(
            "incidents/compose.html", incident=incident, **_form_context(parsed, result)
        )
    session = get_session()
    try:
        service.add_update(
            session,
            incident,
            draft=parsed.draft,
            components=parsed.components,
            author=g.user,
            now=now(),
            policy=service.Policy.from_settings(settings()),
        )
    except service.Rejected as rejected:
        session.rollback()
        return (
            render_template(
                "incidents/compose.html",
                incident=incident,
                **_form_context(parsed, rejected.review),
            ),
            422,
        )
    session.commit()
    _publish(session)
    flash("Update published.")
    return redirect(url_for("incidents.detail", incident_id=incident.id))


@bp.route("/preview", methods=("POST",))
@login_required
def preview() -> Response:
    """Live preview: the public rendering, the findings and the marked fields."""
    incident = None
    incident_id = request.form.get("incident_id", "")
    if incident_id.isdigit():
        incident = _incident_or_404(int(incident_id))
    parsed = parse_form(
        request.form,
        _components(),
        now(),
        _zone(),
        title=incident.title if incident else "",
        severity=incident.severity if incident else "",
    )
    result = _review(parsed, incident)
    context = _form_context(parsed, result)
    return jsonify(
        {
            "html": _preview_html(parsed, incident),
            "blocked": result.blocked,
            "errors": result.errors,
            "findings": [f.to_dict() for f in result.findings],
            "marked": {k: str(v) for k, v in context["marked"].items()},
            "next_update_at": (
                parsed.draft.next_update_at.astimezone(UTC).isoformat()
                if parsed.draft.next_update_at
                else None
            ),
        }
    )
