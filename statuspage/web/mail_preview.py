"""The composer's email preview: the subscriber email (text and HTML) of a draft,
and "send a test to me", which mails it to the logged-in author only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template, request, session
from werkzeug.wrappers import Response

from ..db import get_session
from ..models import Incident, User
from ..notify import messages, smtp
from ..render import contexts
from . import now
from .auth import login_required
from .forms import parse_form
from .incidents import _components, _zone
from .schema import require_current_schema

bp = Blueprint("mail_preview", __name__, url_prefix="/admin")
bp.before_request(require_current_schema)


@bp.before_request
def _load_user() -> None:
    # auth.load_user fills g.user only for its own blueprints; same rule here.
    user_id = session.get("user_id")
    user = get_session().get(User, user_id) if user_id is not None else None
    g.user = user if user is not None and user.is_active else None


# Sensitive fields never copied back into the page's hidden inputs.
_SKIP = {"csrf_token", "action"}


def _draft_email() -> dict[str, Any]:
    incident = None
    incident_id = request.form.get("incident_id", "")
    if incident_id.isdigit():
        incident = get_session().get(Incident, int(incident_id))
    title = incident.title if incident else ""
    severity = incident.severity if incident else ""
    comps = _components()
    parsed = parse_form(
        request.form, comps, now(), _zone(), title=title, severity=severity
    )
    names = {c.name: c for c in comps}
    update = contexts.update_context(
        incident_title=parsed.title or title,
        severity=parsed.severity or severity,
        status=parsed.draft.status
        if parsed.draft.status in contexts.INCIDENT_STATUS_LABELS
        else "investigating",
        current_impact=parsed.draft.current_impact,
        current_action=parsed.draft.current_action,
        user_action=parsed.draft.user_action,
        next_update_at=parsed.draft.next_update_at,
        body=parsed.draft.body,
        published_at=now(),
        changes=[
            (name, names[name].status, status)
            for name, status in sorted(parsed.components.items())
            if name in names
        ],
    )
    subject, text, html = messages.render_update_parts(
        current_app.config,
        update,
        incident_id=incident.id if incident and incident.id else 0,
        incident_title=parsed.title or title or "(untitled incident)",
        severity=parsed.severity or severity,
    )
    return {
        "subject": subject,
        "text": messages.personalise(current_app.config, text, "preview"),
        "html": messages.personalise(current_app.config, html, "preview"),
        "fields": [
            (k, v) for k, vs in request.form.lists() if k not in _SKIP for v in vs
        ],
    }


@bp.app_template_global("draft_email")
def draft_email() -> dict[str, Any] | None:
    """The posted draft's subscriber email, for the composer's server-side preview."""
    if request.method != "POST" or g.get("user") is None:
        return None
    try:
        return _draft_email()
    except Exception:  # the preview is a convenience: never break the composer
        current_app.logger.exception("email preview failed")
        return None


@bp.route("/preview/email", methods=("POST",))
@login_required
def preview() -> Response | str:
    """The subscriber email of the draft: subject, plain text and HTML."""
    email = _draft_email()
    if request.accept_mimetypes.best == "application/json":
        return jsonify({k: email[k] for k in ("subject", "text", "html")})
    return render_template("mail/preview.html", email=email, sent=None, error="")


@bp.route("/preview/email/test", methods=("POST",))
@login_required
def send_test() -> tuple[str, int] | str:
    """Mail the draft's email to the logged-in author (never to subscribers)."""
    email = _draft_email()
    to = g.user.email
    settings = current_app.config
    headers = [
        ("From", messages.address(str(settings["PAGE_NAME"]), settings["MAIL_FROM"])),
        ("To", messages.clean(to)),
        ("Subject", messages.header(f"[TEST] {email['subject']}")),
        ("Auto-Submitted", "auto-generated"),
    ]
    data = messages.assemble(headers, email["text"], email["html"])
    try:
        with smtp.connect(settings) as conn:
            conn.sendmail(settings["MAIL_FROM"], [to], data)
    except Exception as exc:  # shown to the author, who can fix the settings
        current_app.logger.warning("test email failed: %s", exc)
        return (
            render_template(
                "mail/preview.html",
                email=email,
                sent=None,
                error=f"The test email could not be sent: {exc}",
            ),
            502,
        )
    return render_template("mail/preview.html", email=email, sent=to, error="")
