"""Login, logout, and the login_required guard for the composer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from ..accounts import authenticate
from ..db import get_session
from ..models import User
from .schema import require_current_schema

bp = Blueprint("auth", __name__, url_prefix="/admin")
bp.before_request(require_current_schema)


@bp.before_app_request
def load_user() -> None:
    """Put the logged-in user, if any, on `g.user`."""
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None and request.blueprint in ("auth", "incidents"):
        user = get_session().get(User, user_id)
        if user is not None and user.is_active:
            g.user = user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the login page, then back."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so the login form cannot redirect elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("incidents.dashboard")


@bp.route("/login", methods=("GET", "POST"))
def login() -> str | Response | tuple[str, int]:
    """Show the login form and log a user in."""
    if request.method == "POST":
        email = request.form.get("email", "")
        user = authenticate(get_session(), email, request.form.get("password", ""))
        get_session().rollback()
        if user is None:
            return (
                render_template(
                    "auth/login.html", email=email, error="Wrong email or password."
                ),
                401,
            )
        session.clear()
        session["user_id"] = user.id
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", email="", error=None)


@bp.route("/logout", methods=("POST",))
def logout() -> Response:
    """Log out."""
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
