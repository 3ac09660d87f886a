"""Serve the built public site at `/`, exactly as a static host would."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

bp = Blueprint("public", __name__)


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
def site(path: str) -> Response | tuple[str, int]:
    """A file of the built site; folders serve their index.html."""
    root = Path(current_app.config["SITE_DIR"])
    if not (root / "index.html").exists():
        return (
            render_template(
                "error.html",
                title="The public site is not built yet",
                message="Run `statuspage build` (or publish an update) to build it.",
            ),
            503,
        )
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        path += "/index.html"
    if not (root / path).is_file() and (root / f"{path}.html").is_file():
        path += ".html"
    try:
        response = send_from_directory(root, path, max_age=0)
    except Exception:  # werkzeug's NotFound, or a path escaping the site
        abort(404)
    response.headers.setdefault("Cache-Control", "no-cache")
    return response
