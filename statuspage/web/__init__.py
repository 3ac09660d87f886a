"""Flask blueprints by domain: auth, incidents (the composer), api, public."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..models import utcnow

csrf = CSRFProtect()


def now() -> datetime:
    """The app's clock: tests may inject `CLOCK`, a callable returning aware UTC."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else utcnow()


def settings() -> dict[str, Any]:
    """The app's settings as a plain mapping (for the pure core)."""
    return current_app.config  # type: ignore[return-value]


def fmt_utc(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """Format an aware time in UTC."""
    return "" if moment is None else moment.astimezone(UTC).strftime(fmt)


def fmt_local(moment: datetime | None, zone: str, fmt: str = "%H:%M %Z") -> str:
    """Format an aware time in an IANA zone."""
    return "" if moment is None else moment.astimezone(ZoneInfo(zone)).strftime(fmt)


def init_app(app: Flask) -> None:
    """Register the blueprints, CSRF protection and template helpers."""
    from . import api, api_maintenance, auth, incidents, public

    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api_maintenance.bp)
    csrf.exempt(api_maintenance.bp)
    from . import mail_preview, subscribe

    app.register_blueprint(subscribe.bp)
    # Mail clients (RFC 8058) and the static site's form cannot send a CSRF token.
    csrf.exempt(subscribe.create)
    csrf.exempt(subscribe.unsubscribe)
    app.register_blueprint(mail_preview.bp)
    app.register_blueprint(public.bp)
    app.jinja_env.filters["utc"] = fmt_utc
    app.jinja_env.filters["local"] = fmt_local
    app.jinja_env.globals["timedelta"] = timedelta

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return (
            render_template(
                "error.html",
                title="Form expired",
                message="This form expired or was sent from elsewhere. Go back, "
                "reload the page and send it again; what you typed is still in "
                "your browser's back history.",
            ),
            400,
        )
