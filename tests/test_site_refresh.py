"""The in-app site refresh: the public site follows time and the database."""

from __future__ import annotations

import time
from pathlib import Path

from sqlmodel import select

from statuspage import background, db
from statuspage.models import Component
from statuspage.render.contexts import status_label


def index_text(app) -> str:  # type: ignore[no-untyped-def]
    return (Path(app.config["SITE_DIR"]) / "index.html").read_text(encoding="utf-8")


def test_the_refresh_job_builds_the_site_when_the_app_starts(app) -> None:
    app.config.update(BACKGROUND_JOBS=True, SITE_REFRESH_INTERVAL=300)
    job = next(j for j in app.extensions["statuspage_jobs"] if j.name == "site-refresh")
    assert job.interval(app) == 300
    app.extensions["statuspage_jobs"] = [job]
    site = Path(app.config["SITE_DIR"])
    assert not site.exists()
    threads = background.start(app)
    try:
        deadline = time.monotonic() + 30
        while not (site / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        background.stop(app)
        for t in threads:
            t.join(30)
    assert "All Systems Operational" in index_text(app)


def test_a_refresh_shows_what_changed_in_the_database(app) -> None:
    from statuspage.web.publish import refresh_site

    with app.app_context():
        refresh_site(app)
    assert "All Systems Operational" in index_text(app)
    with db.session_scope(app.config["DATABASE_URL"]) as s:
        s.exec(select(Component)).first().status = "major_outage"  # type: ignore[union-attr]
    with app.app_context():
        refresh_site(app)
    assert "All Systems Operational" not in index_text(app)
    assert status_label("major_outage") in index_text(app)


def test_a_failing_publish_command_is_logged_and_the_build_kept(app, caplog) -> None:
    from statuspage.web.publish import refresh_site

    app.config["PUBLISH_COMMAND"] = "false"
    with app.app_context():
        refresh_site(app)
    assert "All Systems Operational" in index_text(app)
    assert "publish command failed" in caplog.text


def test_refresh_interval_0_turns_the_job_off(app) -> None:
    app.config.update(BACKGROUND_JOBS=True, SITE_REFRESH_INTERVAL=0)
    job = next(j for j in app.extensions["statuspage_jobs"] if j.name == "site-refresh")
    app.extensions["statuspage_jobs"] = [job]
    assert background.start(app) == []


def test_compiling_the_templates_finds_a_broken_one_before_any_publish(
    tmp_path: Path,
) -> None:
    import jinja2
    import pytest

    from statuspage.render import compile_templates

    assert compile_templates({"THEME": "default"}) > 10
    theme = tmp_path / "mytheme" / "templates"
    theme.mkdir(parents=True)
    (theme / "incident.html").write_text(
        "{% extends '!default/incident.html' %}{% if %}"
    )
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        compile_templates({"THEME": str(tmp_path / "mytheme")})
    assert "incident.html" in str(error.value.filename or error.value.name)
