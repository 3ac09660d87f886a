"""The `statuspage` command: a Flask command group, so every `flask` command works."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .audit import audit_command
from .rules.elements import STATUSES


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """statuspage: compose incident updates and publish the public status site."""


def _url() -> str:
    return current_app.config["DATABASE_URL"]


def _require_schema() -> None:
    from .db import SchemaBehind, check_schema

    try:
        check_schema(_url())
    except SchemaBehind as exc:
        raise click.ClickException(str(exc)) from exc


# --- db ------------------------------------------------------------------------

db_group = click.Group("db", help="Database schema (Alembic migrations).")


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply the migrations the database is missing."""
    from .db import revisions, upgrade

    upgrade(_url(), revision)
    current, _head = revisions(_url())
    click.echo(f"Database is at revision {current}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's revision and the code's; exit 1 when behind."""
    from .db import revisions

    current, head = revisions(_url())
    click.echo(f"database: {current or 'empty'}\ncode:     {head}")
    if current != head:
        click.echo("Behind: run `statuspage db upgrade`.", err=True)
        sys.exit(1)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Generate a migration from the models (for developers)."""
    from alembic import command

    from .db import alembic_config, get_engine

    cfg = alembic_config(_url())
    with get_engine(_url()).begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


# --- users and tokens ----------------------------------------------------------

user_group = click.Group("user", help="Composer users.")


@user_group.command("add")
@click.argument("email")
@click.option("--name", default="", help="Name shown to the team.")
@click.option(
    "--password",
    default=None,
    help="Password (at least 12 characters). Default: a random one, printed once.",
)
@with_appcontext
def user_add(email: str, name: str, password: str | None) -> None:
    """Add a user who can log in to the composer."""
    from .accounts import AccountError, add_user, new_password
    from .db import session_scope

    _require_schema()
    shown = password is None
    password = password or new_password()
    try:
        with session_scope(_url()) as session:
            add_user(session, email, password, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Added {email.strip().lower()}.")
    if shown:
        click.echo(f"Password (shown once): {password}")


@user_group.command("password")
@click.argument("email")
@with_appcontext
def user_password(email: str) -> None:
    """Give a user a new random password, printed once."""
    from .accounts import AccountError, new_password, set_password
    from .db import session_scope

    _require_schema()
    password = new_password()
    try:
        with session_scope(_url()) as session:
            set_password(session, email, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"New password for {email} (shown once): {password}")


token_group = click.Group("token", help="API tokens for automation.")


@token_group.command("create")
@click.argument("name")
@with_appcontext
def token_create(name: str) -> None:
    """Create an API token and print it (only its hash is kept)."""
    from .accounts import AccountError, create_token
    from .db import session_scope

    _require_schema()
    try:
        with session_scope(_url()) as session:
            token = create_token(session, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(token)


# --- components ----------------------------------------------------------------

components_group = click.Group("components", help="Components and groups.")


@components_group.command("sync")
@with_appcontext
def components_sync() -> None:
    """Create the components and groups listed in statuspage.toml."""
    from .components import sync_components
    from .db import session_scope

    _require_schema()
    with session_scope(_url()) as session:
        added = sync_components(session, current_app.config["COMPONENTS"])
    click.echo(f"{added} component(s) added.")


# --- build ---------------------------------------------------------------------


@click.command("build")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder to build into (default: SITE_DIR).",
)
@click.option(
    "--full", is_flag=True, help="Rebuild every file (default: only what changed)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def build_command(out: str | None, full: bool, as_json: bool) -> None:
    """Render the public site from the database, then run PUBLISH_COMMAND."""
    import os
    from pathlib import Path

    from .db import session_scope
    from .models import utcnow
    from .render import build
    from .render.publishing import PublishCommandError, run_publish_command

    _require_schema()
    # On stderr, and only on a terminal: stdout stays the result (or the JSON).
    show = not as_json and sys.stderr.isatty()
    with click.progressbar(
        length=1, label="Building", file=sys.stderr, hidden=not show
    ) as bar:
        seen = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - seen["done"])
            seen["done"] = done

        with session_scope(_url()) as session:
            result = build(
                session,
                current_app.config,
                Path(out) if out else None,
                now=utcnow(),
                full=full,
                progress=progress,
                workers=os.cpu_count() or 1,
            )
    error = None
    try:
        run_publish_command(current_app.config.get("PUBLISH_COMMAND"), result.out_dir)
    except PublishCommandError as exc:
        error = str(exc)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "out_dir": str(result.out_dir),
                    "files": result.files,
                    "rendered": result.rendered,
                    "reused": result.reused,
                    "incremental": result.incremental,
                    "reused_by": result.reused_by,
                    "seconds": round(result.seconds, 4),
                    "timings": {k: round(v, 4) for k, v in result.timings.items()},
                    "publish_error": error,
                }
            )
        )
    else:
        kind = "incremental" if result.incremental else "full"
        click.echo(
            f"Built {result.files} files ({kind}: {result.rendered} rendered, "
            f"{result.reused} unchanged) into {result.out_dir} "
            f"in {result.seconds:.2f}s."
        )
    if error:
        raise click.ClickException(
            f"The site is built locally, but the publish command failed: {error}"
        )


# --- lint ----------------------------------------------------------------------


def _lint_one(text: str, status: str, confirmed: bool) -> dict[str, Any]:
    from .rules.speculation import check_speculation

    findings = check_speculation(text, status=status, cause_confirmed=confirmed)
    return {
        "blocked": any(f.severity == "block" for f in findings),
        "findings": [f.to_dict() for f in findings],
    }


@click.command("lint")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--jsonl",
    is_flag=True,
    help='Read one {"text", "status", "cause_confirmed"} object a line; '
    "write one result a line.",
)
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default="investigating",
    show_default=True,
    help="The incident status the text is for.",
)
@click.option(
    "--confirmed-cause", is_flag=True, help="The author has confirmed the cause."
)
def lint_command(
    as_json: bool, jsonl: bool, status: str, confirmed_cause: bool
) -> None:
    """Check update text on stdin for speculative wording; exit 1 when blocked."""
    if jsonl:
        sys.exit(_lint_jsonl(status, confirmed_cause))
    text = sys.stdin.read()
    result = _lint_one(text, status, confirmed_cause)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        for f in result["findings"]:
            click.echo(
                f"{f['severity']}: {f['rule']} at {f['start']}-{f['end']} "
                f"{f['text']!r}: {f['message']}"
            )
            if f["suggestion"]:
                click.echo(f"  suggestion: {f['suggestion']}")
        click.echo("blocked" if result["blocked"] else "ok")
    sys.exit(1 if result["blocked"] else 0)


def _lint_jsonl(default_status: str, default_confirmed: bool) -> int:
    any_blocked = False
    bad_input = False
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line needs an object with a "text" string')
            status = item.get("status") or default_status
            if status not in STATUSES:
                raise ValueError(
                    f"status {status!r} is not one of {', '.join(STATUSES)}"
                )
            confirmed = bool(item.get("cause_confirmed", default_confirmed))
        except ValueError as exc:
            bad_input = True
            click.echo(json.dumps({"error": f"line {number}: {exc}"}))
            continue
        result = _lint_one(item["text"], status, confirmed)
        any_blocked = any_blocked or result["blocked"]
        click.echo(json.dumps(result, ensure_ascii=False))
    if bad_input:
        return 2
    return 1 if any_blocked else 0


# --- demo ----------------------------------------------------------------------


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the demo and exit.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Create a demo database, admin, components and incident; serve on :5000."""
    from .demo import setup_demo

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = setup_demo(app.config)
    for line in report:
        click.echo(line)
    if no_serve:
        return
    click.echo(f"Composer:    http://{host}:{port}/admin/")
    click.echo(f"Public site: http://{host}:{port}/")
    # app.run() refuses to start inside a Flask CLI command; serve directly.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


def init_app(app: Flask) -> None:
    """Register the commands on the app (so `flask --app app ...` has them too)."""
    from .checker import check_command
    from .maintenance import maintenance_group
    from .notify.commands import digest_command, worker_command
    from .report import report_command

    for command in (
        db_group,
        user_group,
        token_group,
        components_group,
        build_command,
        maintenance_group,
        lint_command,
        demo_command,
        check_command,
        report_command,
        worker_command,
        digest_command,
    ):
        app.cli.add_command(command)


# Lint and audit need no app or database: keep them on the group itself, so they
# run anywhere.
main.add_command(lint_command)
main.add_command(audit_command)
