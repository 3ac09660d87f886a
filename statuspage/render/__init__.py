"""The static site pipeline, in Pelican's stages: snapshot -> contexts -> writer.

No Flask here: the app, the CLI and the tests call `build` and
`render_update_preview` with a session or plain values and a settings mapping.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from . import contexts
from .snapshot import read_snapshot
from .theme import ThemeError, make_environment, static_files, theme_for
from .writer import SiteWriter, WriterError, publish, staging

__all__ = [
    "BuildResult",
    "ThemeError",
    "WriterError",
    "build",
    "render_update_preview",
]


@dataclass
class BuildResult:
    """What a build did."""

    out_dir: Path  # the folder now served (the live site dir)
    files: int  # files written
    seconds: float


def build(
    session: Session,
    settings: Mapping[str, Any],
    out_dir: Path | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Render the whole public site into out_dir (default: settings["SITE_DIR"])."""
    started = time.perf_counter()
    # abspath, not resolve(): out_dir is normally a symlink and must stay one.
    out = Path(
        os.path.abspath(out_dir if out_dir is not None else settings["SITE_DIR"])
    )
    theme = theme_for(settings)
    env = make_environment(theme)
    snapshot = read_snapshot(session)
    pages = contexts.pages(snapshot, settings, now)
    # Everything that can fail (templates, paths, disk) happens inside the staging
    # folder; the live site changes only in publish(), in one step.
    with staging(out) as stage:
        writer = SiteWriter(stage)
        for page in pages:
            html = env.get_template(page.template).render(page.context)
            writer.write_text(page.path, html)
        for relative, source in static_files(theme):
            writer.copy(source, f"static/{relative}")
        publish(out, stage)
    return BuildResult(
        out_dir=out, files=writer.files, seconds=time.perf_counter() - started
    )


def render_update_preview(
    settings: Mapping[str, Any],
    *,
    incident_title: str,
    severity: str,
    status: str,
    current_impact: str,
    current_action: str,
    user_action: str,
    next_update_at: datetime | None,
    body: str,
    published_at: datetime,
    component_changes: list[tuple[str, str, str]],
) -> str:
    """One public update as HTML, exactly as the site shows it (`_update.html`)."""
    update = contexts.update_context(
        incident_title=incident_title,
        severity=severity,
        status=status,
        current_impact=current_impact,
        current_action=current_action,
        user_action=user_action,
        next_update_at=next_update_at,
        body=body,
        published_at=published_at,
        changes=component_changes,
    )
    env = make_environment(theme_for(settings))
    return env.get_template("_update.html").render(update=update)
