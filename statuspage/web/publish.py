"""Rebuild the public site after a change, and say so if that failed."""

from __future__ import annotations

from flask import Flask, current_app
from sqlmodel import Session

from ..render import build, compile_templates
from ..render.publishing import PublishCommandError, run_publish_command
from . import now


def publish_site(session: Session) -> str | None:
    """Build the public site (incrementally); return None, or why it failed.

    The update is committed before this runs, so a failure here never loses it; a
    failing PUBLISH_COMMAND keeps the local build, which is already live.
    """
    # The build lock is taken on a connection of its own: end our transaction first.
    session.commit()
    try:
        result = build(session, current_app.config, now=now())
    except Exception as exc:  # the update is committed: report, don't 500
        current_app.logger.exception("public site build failed")
        return (
            "The update is saved, but the public site could not be rebuilt: "
            f"{exc}. Run `statuspage build` once the problem is fixed."
        )
    try:
        run_publish_command(current_app.config.get("PUBLISH_COMMAND"), result.out_dir)
    except PublishCommandError as exc:
        current_app.logger.error("publish command failed: %s", exc)
        return (
            "The update is saved and the local site is rebuilt, but the publish "
            f"command failed: {exc}"
        )
    return None


def refresh_site(app: Flask) -> None:
    """Rebuild the public site (incrementally) and run the publish command: the
    in-app job, every SITE_REFRESH_INTERVAL seconds. Its first run, when the app
    starts, also reads what the next publish needs."""
    from ..db import SchemaBehind, check_schema, session_scope

    url = app.config["DATABASE_URL"]
    try:
        check_schema(url)
    except SchemaBehind:
        return  # the app answers 503 until `statuspage db upgrade`
    if not app.extensions.get("statuspage_templates_compiled"):
        compile_templates(app.config)  # the first publish need not
        app.extensions["statuspage_templates_compiled"] = True
    with session_scope(url) as session:
        result = build(session, app.config, now=now())
    try:
        run_publish_command(app.config.get("PUBLISH_COMMAND"), result.out_dir)
    except PublishCommandError as exc:
        app.logger.error("publish command failed: %s", exc)


def init_app(app: Flask) -> None:
    """Register the site refresh with the app's background jobs."""
    from .. import background

    def _interval(app: Flask) -> float:
        return float(app.config.get("SITE_REFRESH_INTERVAL") or 0)

    background.register(app, "site-refresh", _interval, refresh_site)
