"""Refuse to serve the composer or API against a database that is behind."""

from __future__ import annotations

from flask import current_app, render_template

from ..db import SchemaBehind, check_schema


def require_current_schema() -> tuple[str, int] | None:
    """A before_request hook: 503 with the fixing command when migrations are due."""
    if current_app.extensions.get("statuspage_schema_ok"):
        return None
    try:
        check_schema(current_app.config["DATABASE_URL"])
    except SchemaBehind as exc:
        current_app.logger.error("%s", exc)
        return (
            render_template(
                "error.html", title="Database needs upgrading", message=str(exc)
            ),
            503,
        )
    current_app.extensions["statuspage_schema_ok"] = True
    return None
