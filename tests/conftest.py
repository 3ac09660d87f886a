"""Fixtures: every test gets its own database (SQLite, or a fresh PostgreSQL one)
and its own site folder; the app's clock is fixed so cadence rules are exact."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from statuspage import create_app, db
from statuspage.accounts import add_user, create_token
from statuspage.components import sync_components

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
PASSWORD = "correct horse battery"
PG_ADMIN_URL = os.environ.get(
    "STATUSPAGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
COMPONENTS = [
    {"name": "Checkout", "group": "Customer-facing"},
    {"name": "Dashboard", "group": "Customer-facing"},
    {"name": "API", "group": "Developers"},
]


@pytest.fixture
def now() -> datetime:
    return NOW


def _pg_database() -> Iterator[str]:
    name = f"statuspage_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not answering at {PG_ADMIN_URL} ({exc.orig}); "
            "`.ci/run` starts it, or set STATUSPAGE_TEST_POSTGRES."
        )
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        db.dispose_engine(url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database; tests marked with `both_backends` also run on PostgreSQL."""
    if getattr(request, "param", "sqlite") == "postgresql":
        yield from _pg_database()
        return
    url = f"sqlite:///{tmp_path / 'statuspage.db'}"
    yield url
    db.dispose_engine(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # `@pytest.mark.both_backends` runs a test against SQLite and a real PostgreSQL.
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_backends"
    ):
        metafunc.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_backends: run on SQLite and on a real PostgreSQL server"
    )


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database of this test's own (the site tests' database)."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    db.upgrade(url)
    yield url
    db.dispose_engine(url)


@pytest.fixture
def migrated_url(db_url: str) -> str:
    db.upgrade(db_url)
    return db_url


@pytest.fixture
def app(migrated_url: str, tmp_path: Path, now: datetime):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated_url,
            "SITE_DIR": str(tmp_path / "site"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "PAGE_NAME": "Acme Status",
            "CLOCK": lambda: now,
            "BACKGROUND_JOBS": False,
        }
    )
    with db.session_scope(migrated_url) as session:
        sync_components(session, COMPONENTS)
        add_user(session, "lead@example.com", PASSWORD, "Comms Lead")
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        yield s


@pytest.fixture
def token(app) -> str:
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        return create_token(s, "tests")


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Composer:
    """A logged-in browser session through Flask's test client."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, email: str = "lead@example.com", password: str = PASSWORD):
        page = self.client.get("/admin/login")
        return self.client.post(
            "/admin/login",
            data={
                "email": email,
                "password": password,
                "csrf_token": csrf_from(page.text),
            },
        )

    def post_form(self, path: str, data: dict[str, str]):
        page = self.client.get(path)
        return self.client.post(path, data={**data, "csrf_token": csrf_from(page.text)})


@pytest.fixture
def composer(client) -> Composer:
    c = Composer(client)
    response = c.login()
    assert response.status_code == 302
    return c
