"""statuspage: a status page and customer communications publisher."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from .paths import bundled


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the composer and public-site app."""
    from . import background, checker, config, db, maintenance
    from .web import init_app as init_web

    overrides = dict(test_config or {})
    instance = Path(
        overrides.get("INSTANCE_PATH")
        or os.environ.get("STATUSPAGE_INSTANCE_PATH")
        or Path.cwd() / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(bundled("templates")),
        static_folder=str(Path(__file__).parent / "web" / "static"),
        static_url_path="/admin/static",
    )
    settings = config.resolve(instance, overrides=overrides)
    app.config.update(settings)
    app.config["INSTANCE_PATH"] = str(instance)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("CLOCK", None)
    db.init_app(app)
    init_web(app)
    background.init_app(app)
    from .notify.commands import init_app as init_mail

    init_mail(app)
    checker.init_app(app)
    maintenance.init_app(app)
    from .web.publish import init_app as init_refresh

    init_refresh(app)
    from .cli import init_app as init_cli

    init_cli(app)
    return app


def _instance_secret(instance: Path) -> str:
    # A random key kept beside the database, so sessions survive restarts.
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
