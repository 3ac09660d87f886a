"""Public subscription pages: sign up, confirm, preferences, one-click unsubscribe.

Rendered from the public theme so they look like the status site. `POST /subscribe`
takes the static site's form (no CSRF token possible: rate limited instead) or JSON,
and answers the same whether or not the address is known.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from werkzeug.wrappers import Response

from .. import subscriptions as subs
from .. import throttle
from ..db import get_session
from ..models import Component, Incident, SubscriberIncident
from ..notify import messages
from . import now

bp = Blueprint("subscribe", __name__)

ACCEPTED = (
    "Check your inbox. If this address can subscribe, we have sent it an email: "
    "open the link in it to confirm. Nothing else is sent until you do."
)


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page of the public theme (`subscribe/<template>`), with the site around it."""
    settings = current_app.config
    public = str(settings.get("PUBLIC_URL") or "").rstrip("/")
    site = {
        "page_name": str(settings.get("PAGE_NAME") or "Status"),
        "public_url": public,
        "last_updated": now(),
    }
    base = {
        "site": site,
        "root": f"{public}/",
        "page_path": "",
        "canonical_url": "",
        "app_url": "",  # these pages are served by the app: links stay relative
        "modes": MODE_LABELS,
    }
    env = messages.environment(settings)
    html = env.get_template(f"subscribe/{template}").render(base | context)
    return html, status


MODE_LABELS = {
    "every_update": "Every update, as it is published",
    "daily_digest": "A daily digest",
    "weekly_digest": "A weekly digest",
}


def _components() -> list[Component]:
    return list(
        get_session()
        .exec(select(Component).order_by(Component.position, Component.name))  # type: ignore[arg-type]
        .all()
    )


def _wants_json() -> bool:
    return request.is_json or (
        request.accept_mimetypes.best_match(["text/html", "application/json"])
        == "application/json"
        and not request.form
    )


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/subscribe", methods=("GET",))
def form() -> tuple[str, int]:
    """The sign-up form (the static site may carry its own copy)."""
    incident = request.args.get("incident", "")
    return page(
        "form.html",
        components=_components(),
        incident=incident if incident.isdigit() else "",
        error="",
        values={},
    )


@bp.route("/subscribe", methods=("POST",))
def create() -> tuple[str, int] | tuple[Response, int]:
    """Sign up: validate, rate limit, queue one confirmation email."""
    as_json = _wants_json()
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _error("Send a JSON object with an email field.", as_json)
        email = str(data.get("email") or "")
        raw_components = data.get("components") or []
        if isinstance(raw_components, str):
            raw_components = [raw_components]
        components = [str(c) for c in raw_components]
        mode = data.get("mode")
        incident = data.get("incident")
    else:
        email = request.form.get("email", "")
        components = request.form.getlist("components")
        mode = request.form.get("mode")
        incident = request.form.get("incident")
    settings = current_app.config
    moment = now()
    checks = [
        (
            f"subscribe:ip:{throttle.hashed(_client_ip())}",
            settings["SUBSCRIBE_LIMIT_IP"],
        )
    ]
    if "@" in email:
        key = throttle.hashed(email.strip().lower())
        checks.append((f"subscribe:address:{key}", settings["SUBSCRIBE_LIMIT_ADDRESS"]))
    if not throttle.allowed(throttle.limiter_for(settings), checks, moment):
        return _limited(as_json)
    session = get_session()
    try:
        parsed = subs.parse_request(
            session,
            email=email,
            components=components,
            mode=str(mode) if mode else None,
            incident=incident,
        )
    except subs.SubscribeError as exc:
        return _error(str(exc), as_json, email=email)
    try:
        outcome = subs.subscribe(session, parsed, moment)
        session.commit()
    except IntegrityError:
        # The same address sent twice at once: the other request created it.
        session.rollback()
        outcome = "concurrent"
    current_app.logger.info("subscribe request: %s", outcome)
    if as_json:
        return jsonify({"status": "accepted", "message": ACCEPTED}), 202
    return page("accepted.html", message=ACCEPTED)


def _error(
    message: str, as_json: bool, email: str = ""
) -> tuple[str, int] | tuple[Response, int]:
    if as_json:
        return jsonify({"error": message}), 400
    return page(
        "form.html",
        400,
        components=_components(),
        incident=request.form.get("incident", ""),
        error=message,
        values={"email": email},
    )


def _limited(as_json: bool) -> tuple[str, int] | tuple[Response, int]:
    if as_json:
        response = jsonify({"error": "Too many requests; try again in an hour."})
        response.headers["Retry-After"] = "3600"
        return response, 429
    html, status = page("limited.html", 429)
    response = current_app.make_response((html, status))
    response.headers["Retry-After"] = "3600"
    return response, 429


@bp.route("/subscribe/confirm/<code>", methods=("GET", "POST"))
def confirm(code: str) -> tuple[str, int]:
    """GET shows a Confirm button (link scanners confirm nothing); POST confirms."""
    session = get_session()
    subscriber = subs.check_confirm_code(
        session, str(current_app.config["SECRET_KEY"]), code, now()
    )
    if subscriber is None:
        return page("expired.html", 410)
    if request.method == "GET":
        return page("confirm.html", code=code, csrf_token=generate_csrf())
    subs.confirm(session, subscriber, now())
    session.commit()
    return page(
        "confirmed.html",
        prefs_url=messages.prefs_url(current_app.config, subscriber.token),
    )


@bp.route("/subscription/<token>", methods=("GET", "POST"))
def preferences(token: str) -> tuple[str, int]:
    """What the holder of a link token receives: components, mode, unsubscribe."""
    session = get_session()
    subscriber = subs.by_token(session, token)
    if subscriber is None:
        return page("unknown.html", 404)
    assert subscriber.id is not None
    message = ""
    error = ""
    if request.method == "POST":
        try:
            ids = subs.resolve_components(session, request.form.getlist("components"))
            subs.save_preferences(
                session,
                subscriber,
                components=ids,
                mode=request.form.get("mode", ""),
            )
            session.commit()
            message = "Saved. Your choices apply from the next email."
        except subs.SubscribeError as exc:
            session.rollback()
            error = str(exc)
    followed = [
        incident
        for incident in session.exec(
            select(Incident)
            .join_from(Incident, SubscriberIncident)
            .where(SubscriberIncident.subscriber_id == subscriber.id)
        ).all()
    ]
    return page(
        "preferences.html",
        400 if error else 200,
        subscriber=subscriber,
        chosen=set(subs.component_ids(session, subscriber.id)),
        components=_components(),
        followed=followed,
        token=token,
        message=message,
        error=error,
        csrf_token=generate_csrf(),
    )


@bp.route("/unsubscribe/<token>", methods=("GET", "POST"))
def unsubscribe(token: str) -> tuple[str, int]:
    """RFC 8058 one-click: POST unsubscribes at once; GET only shows the button."""
    session = get_session()
    subscriber = subs.by_token(session, token)
    if subscriber is None:
        return page("unknown.html", 404)
    if request.method == "GET":
        return page("unsubscribe.html", token=token, done=False)
    subs.unsubscribe(session, subscriber, now())
    session.commit()
    return page("unsubscribe.html", token=token, done=True)
