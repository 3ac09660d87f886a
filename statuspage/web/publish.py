"""Rebuild the public site after a change, and say so if that failed."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from ..render import build
from . import now


def publish_site(session: Session) -> str | None:
    """Build the public site; return None, or why it failed (the update is saved)."""
    try:
        build(session, current_app.config, now=now())
    except Exception as exc:  # the update is committed: report, don't 500
        current_app.logger.exception("public site build failed")
        return (
            "The update is saved, but the public site could not be rebuilt: "
            f"{exc}. Run `statuspage build` once the problem is fixed."
        )
    return None
