"""Engine, sessions, and the Alembic schema (upgrade and the is-it-current check)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session

from .models import (
    Incident,
    IncidentComponent,
    Update,
    UpdateComponent,
    new_change_token,
)
from .paths import bundled

_engines: dict[str, sa.Engine] = {}

UPGRADE_HINT = "run `statuspage db upgrade`"


class SchemaBehind(Exception):
    """The database schema is older than this code: migrations must run first."""


class ImmutableUpdate(Exception):
    """Something tried to change a published update."""


def get_engine(url: str) -> sa.Engine:
    """Return one shared engine per database URL."""
    engine = _engines.get(url)
    if engine is None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = sa.create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        _engines[url] = engine
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def dispose_engine(url: str) -> None:
    """Close and forget the engine for `url` (tests drop their databases)."""
    engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` using the bundled migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(bundled("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(url)
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def revisions(url: str) -> tuple[str | None, str | None]:
    """Return (current revision of the database, head revision of the code)."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with get_engine(url).connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def check_schema(url: str) -> None:
    """Raise SchemaBehind, naming the fix, unless the database is at head."""
    current, head = revisions(url)
    if current != head:
        where = "empty" if current is None else f"at revision {current}"
        raise SchemaBehind(
            f"The database schema is behind ({where}, this code needs {head}): "
            f"{UPGRADE_HINT}."
        )


@sa.event.listens_for(Session, "before_flush")
def _refuse_update_edits(session: Session, _ctx: Any, _instances: Any) -> None:
    # A published update is what customers saw; corrections must be new updates.
    for obj in session.dirty:
        if isinstance(obj, Update) and session.is_modified(obj):
            raise ImmutableUpdate(
                "A published update cannot be changed; publish a correction instead."
            )
    for obj in session.deleted:
        if isinstance(obj, Update):
            raise ImmutableUpdate("A published update cannot be deleted.")


@sa.event.listens_for(Session, "before_flush")
def _new_change_tokens(session: Session, _ctx: Any, _instances: Any) -> None:
    """Give an incident a new `change_token` whenever a flush writes something its
    public pages show (the row itself, its updates, their component changes, its
    affected components): the site build re-reads only incidents with new tokens.
    Writes that bypass the ORM must set one themselves (or build with --full)."""
    # New incidents got a token when they were made; these are existing ones.
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Incident):
            if obj.id is not None and session.is_modified(obj):
                touched.add(obj.id)
        elif isinstance(obj, (Update, IncidentComponent)):
            if obj.incident_id is not None:
                touched.add(obj.incident_id)
        elif isinstance(obj, UpdateComponent) and obj.update_id is not None:
            update = session.get(Update, obj.update_id)
            if update is not None:
                touched.add(update.incident_id)
    # One new token a transaction is enough: it differs from the last committed
    # one, which is all a build compares.
    done = session.info.setdefault(_TOKENS_SET, set())
    for incident_id in touched - done:
        incident = session.get(Incident, incident_id)
        if incident is not None:
            incident.change_token = new_change_token()
            done.add(incident_id)


_TOKENS_SET = "statuspage_change_tokens_set"


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_tokens_set(session: Session, *_args: Any) -> None:
    # A new transaction (or one rolled back to a savepoint) sets them again.
    session.info.pop(_TOKENS_SET, None)


def init_app(app: Any) -> None:
    """Close the request's session when the request ends."""
    app.teardown_appcontext(_close_session)


def _close_session(_exc: BaseException | None) -> None:
    from flask import g

    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_session() -> Session:
    """The request's session (Flask only)."""
    from flask import current_app, g

    if "db_session" not in g:
        g.db_session = Session(
            get_engine(current_app.config["DATABASE_URL"]), expire_on_commit=False
        )
    return g.db_session
