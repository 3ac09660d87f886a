"""The static site: built from fixture data into tmp_path and read as a reader would."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import html5lib
import pytest
from bs4 import BeautifulSoup

from statuspage import db
from statuspage.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentComponent,
    Update,
    UpdateComponent,
)
from statuspage.render import (
    BuildResult,
    ThemeError,
    WriterError,
    build,
    contexts,
    render_update_preview,
)
from statuspage.render.snapshot import read_snapshot
from statuspage.render.writer import SiteWriter, builds_dir

T0 = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
MARKDOWN_BODY = (
    "# Cause\n\nA **bad** deploy of the payment gateway.\n\n"
    '<script>alert("pwned")</script>\n\n'
    '<a href="javascript:alert(1)" onclick="x()">click</a>'
)


# --- helpers ---------------------------------------------------------------------


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "PAGE_NAME": "Acme Status",
        "PUBLIC_URL": "https://status.example.com",
        "TIME_ZONE": "UTC",
        "THEME": "default",
        "SITE_DIR": str(tmp_path / "site"),
    } | extra


def run_build(url: str, tmp_path: Path, **kw: Any) -> BuildResult:
    config = kw.pop("config", None) or settings(tmp_path)
    with db.session_scope(url) as session:
        return build(session, config, **kw)


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html5lib")


def text(element: Any) -> str:
    return " ".join(element.get_text(" ").split())


def tree(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def add_component(session: Any, name: str, status: str = "operational", **kw: Any):
    component = Component(name=name, status=status, created_at=T0, updated_at=T0, **kw)
    session.add(component)
    session.flush()
    return component


def add_update(session: Any, incident: Incident, at: datetime, status: str, **kw: Any):
    update = Update(incident_id=incident.id, status=status, published_at=at, **kw)
    session.add(update)
    session.flush()
    return update


def populate(url: str) -> None:
    """Three groups (one empty), ungrouped components, three incidents."""
    with db.session_scope(url) as s:
        edge = ComponentGroup(name="Edge", position=0, created_at=T0)
        payments = ComponentGroup(name="Payments", position=1, created_at=T0)
        core = ComponentGroup(name="Core", position=1, created_at=T0)
        unused = ComponentGroup(name="Unused", position=2, created_at=T0)
        s.add_all([edge, payments, core, unused])
        s.flush()
        add_component(s, "Website", position=0)
        add_component(s, "Docs", position=1)
        add_component(s, "Database", group_id=core.id, position=2)
        api = add_component(s, "API", "degraded_performance", group_id=core.id)
        checkout = add_component(s, "Checkout", "major_outage", group_id=payments.id)
        add_component(s, "Billing", group_id=payments.id)
        add_component(s, "CDN", group_id=edge.id)
        add_component(s, "Legacy", group_id=edge.id, only_show_if_degraded=True)

        old = Incident(
            title="Login slow",
            severity="SEV-3",
            status="resolved",
            declared_at=datetime(2026, 10, 3, 9, 0, tzinfo=UTC),
            resolved_at=datetime(2026, 10, 3, 10, 0, tzinfo=UTC),
            updated_at=datetime(2026, 10, 3, 10, 0, tzinfo=UTC),
        )
        mail = Incident(
            title="Email delays",
            severity="SEV-4",
            status="postmortem",
            declared_at=datetime(2026, 11, 2, 12, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
        )
        live = Incident(
            title="Checkout failing",
            severity="SEV-2",
            status="identified",
            declared_at=T0,
            updated_at=T0 + timedelta(minutes=30),
        )
        s.add_all([old, mail, live])
        s.flush()

        add_update(
            s,
            old,
            datetime(2026, 10, 3, 9, 10, tzinfo=UTC),
            "investigating",
            current_impact="Logins take 20 seconds.",
            current_action="Looking into it.",
            user_action="Nothing.",
            next_update_at=datetime(2026, 10, 3, 9, 40, tzinfo=UTC),
        )
        fixed = add_update(
            s,
            old,
            datetime(2026, 10, 3, 10, 0, tzinfo=UTC),
            "resolved",
            current_impact="Logins are fast again.",
            user_action="Nothing.",
        )
        s.add(
            UpdateComponent(
                update_id=fixed.id,
                component_id=api.id,
                old_status="degraded_performance",
                new_status="operational",
            )
        )
        add_update(
            s,
            mail,
            datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
            "postmortem",
            current_impact="Mail was delayed up to an hour.",
            user_action="Nothing.",
            body="A queue filled up.",
        )
        s.add(
            IncidentComponent(
                incident_id=live.id, component_id=checkout.id, status="major_outage"
            )
        )
        add_update(
            s,
            live,
            T0 + timedelta(minutes=5),
            "investigating",
            current_impact="Some payments fail.",
            current_action="We are investigating.",
            user_action="Retry in a few minutes.",
            next_update_at=T0 + timedelta(minutes=30),
        )
        latest = add_update(
            s,
            live,
            T0 + timedelta(minutes=30),
            "identified",
            current_impact="All card payments fail at checkout.",
            current_action="We are rolling back the gateway deploy.",
            user_action="Use PayPal, or retry after 17:00 UTC.",
            next_update_at=T0 + timedelta(minutes=45),
            body=MARKDOWN_BODY,
        )
        s.add(
            UpdateComponent(
                update_id=latest.id,
                component_id=checkout.id,
                old_status="operational",
                new_status="major_outage",
            )
        )


def latest_preview(config: dict[str, Any]) -> str:
    return render_update_preview(
        config,
        incident_title="Checkout failing",
        severity="SEV-2",
        status="identified",
        current_impact="All card payments fail at checkout.",
        current_action="We are rolling back the gateway deploy.",
        user_action="Use PayPal, or retry after 17:00 UTC.",
        next_update_at=T0 + timedelta(minutes=45),
        body=MARKDOWN_BODY,
        published_at=T0 + timedelta(minutes=30),
        component_changes=[("Checkout", "operational", "major_outage")],
    )


# --- the front page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "open_incident", "indicator", "banner"),
    [
        (["operational", "operational"], False, "none", "All Systems Operational"),
        (["degraded_performance"], False, "minor", "Minor Service Outage"),
        (
            ["partial_outage", "degraded_performance"],
            False,
            "major",
            "Partial System Outage",
        ),
        (["major_outage", "partial_outage"], False, "critical", "Major System Outage"),
        (
            ["under_maintenance", "operational"],
            False,
            "maintenance",
            "Service Under Maintenance",
        ),
        (["operational"], True, "minor", "Minor Service Outage"),
        ([], False, "none", "All Systems Operational"),
    ],
)
def test_banner_shows_the_indicator(
    url: str,
    tmp_path: Path,
    statuses: list[str],
    open_incident: bool,
    indicator: str,
    banner: str,
) -> None:
    with db.session_scope(url) as s:
        for n, status in enumerate(statuses):
            add_component(s, f"Component {n}", status)
        if open_incident:
            s.add(Incident(title="Odd errors", severity="SEV-3", declared_at=T0))
    result = run_build(url, tmp_path)
    soup = page(result.out_dir, "index.html")
    section = soup.find("section", attrs={"aria-label": "Overall status"})
    assert text(section) == banner
    assert f"banner--{indicator}" in section["class"]


def test_components_are_listed_by_group_with_status_words(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "index.html")
    listing = soup.find("section", class_="components")
    ungrouped = listing.find("ul", recursive=False)
    assert [text(li) for li in ungrouped.find_all("li")] == [
        "Website Operational",
        "Docs Operational",
    ]
    groups = {
        text(g.h3): [text(li) for li in g.find_all("li")]
        for g in listing.find_all("section", class_="component-group")
    }
    # Position first, then name; an empty group and a hidden component do not show.
    assert list(groups.items()) == [
        ("Edge Operational", ["CDN Operational"]),
        (
            "Core Degraded Performance",
            ["API Degraded Performance", "Database Operational"],
        ),
        ("Payments Major Outage", ["Billing Operational", "Checkout Major Outage"]),
    ]


def test_open_incident_shows_its_latest_update(url: str, tmp_path: Path) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "index.html")
    section = soup.find("section", class_="open-incidents")
    incidents = section.find_all("article", class_="incident")
    assert [text(i.h3) for i in incidents] == ["Checkout failing"]
    assert incidents[0].h3.a["href"] == "incidents/3.html"
    updates = incidents[0].find_all("article", class_="update")
    assert len(updates) == 1
    update = updates[0]
    assert text(update.find(class_="update__status")) == "Identified"
    elements = dict(
        zip(
            [text(dt) for dt in update.find_all("dt")],
            [text(dd) for dd in update.find_all("dd")],
            strict=True,
        )
    )
    assert elements == {
        "Current impact": "All card payments fail at checkout.",
        "What we are doing": "We are rolling back the gateway deploy.",
        "What you should do": "Use PayPal, or retry after 17:00 UTC.",
    }
    assert text(update.find(class_="update__next")) == "Next update by 16:45 UTC"
    assert text(update.find(class_="update__changes")) == (
        "Checkout : Operational → Major Outage"
    )
    published = update.find(class_="update__published").time
    assert published["datetime"] == "2026-11-26T16:30:00+00:00"
    assert text(published) == "26 Nov 2026, 16:30 UTC"
    # Resolved and postmortem incidents are not "open".
    assert "Login slow" not in text(section)
    assert "Email delays" not in text(section)


def test_last_updated_defaults_to_the_newest_time_in_the_data(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "index.html")
    stamp = soup.find(class_="last-updated")
    assert text(stamp) == "Last updated 26 Nov 2026, 16:30 UTC"
    later = datetime(2026, 11, 26, 17, 5, 59, tzinfo=UTC)
    soup = page(run_build(url, tmp_path, now=later).out_dir, "index.html")
    stamp = soup.find(class_="last-updated")
    assert text(stamp) == "Last updated 26 Nov 2026, 17:05 UTC"
    assert stamp.time["datetime"] == "2026-11-26T17:05:59+00:00"


# --- incident pages and the history ----------------------------------------------


def test_incident_page_lists_every_update_newest_first(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "incidents/3.html")
    assert text(soup.h1) == "Checkout failing"
    facts = soup.find("dl", class_="incident__facts")
    assert "Severity SEV-2" in text(facts)
    assert "Status Identified" in text(facts)
    assert [text(li) for li in soup.find("ul", class_="affected").find_all("li")] == [
        "Checkout : Major Outage"
    ]
    updates = soup.find_all("article", class_="update")
    assert [text(u.find(class_="update__status")) for u in updates] == [
        "Identified",
        "Investigating",
    ]
    assert [text(u.find(class_="update__next")) for u in updates] == [
        "Next update by 16:45 UTC",
        "Next update by 16:30 UTC",
    ]
    assert soup.find("link", rel="stylesheet")["href"] == "../static/style.css"


def test_final_updates_promise_no_next_update(url: str, tmp_path: Path) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "incidents/1.html")
    resolved, investigating = soup.find_all("article", class_="update")
    assert resolved.find(class_="update__next") is None
    assert "What we are doing" not in text(resolved)  # empty elements are left out
    assert text(resolved.find(class_="update__changes")) == (
        "API : Degraded Performance → Operational"
    )
    assert text(investigating.find(class_="update__next")) == "Next update by 09:40 UTC"


def test_history_groups_incidents_by_month_newest_first(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    soup = page(run_build(url, tmp_path).out_dir, "history.html")
    assert text(soup.h1) == "Incident history"
    months = {
        text(section.h2): [
            (text(li.a), li.a["href"], text(li.find(class_="badge")))
            for li in section.find_all("li")
        ]
        for section in soup.find_all("section", class_="month")
    }
    assert list(months.items()) == [
        (
            "November 2026",
            [
                ("Checkout failing", "incidents/3.html", "Identified"),
                ("Email delays", "incidents/2.html", "Postmortem"),
            ],
        ),
        ("October 2026", [("Login slow", "incidents/1.html", "Resolved")]),
    ]


def test_markdown_body_is_rendered_and_sanitised(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    soup = page(site, "incidents/3.html")
    body = soup.find(class_="update__body")
    assert text(body.strong) == "bad"
    assert text(body.h4) == "Cause"  # demoted below the page's own headings
    assert body.find("script") is None
    assert "pwned" not in (site / "incidents/3.html").read_text()
    link = body.find("a")
    assert not link.get("href")
    assert not link.get("onclick")
    assert len(soup.find_all("h1")) == 1


# --- preview, themes, determinism ------------------------------------------------


def test_preview_equals_the_update_on_the_incident_page(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    config = settings(tmp_path)
    site = run_build(url, tmp_path, config=config).out_dir
    preview = latest_preview(config)
    html = (site / "incidents/3.html").read_text(encoding="utf-8")
    assert preview.strip() in html
    shown = page(site, "incidents/3.html").find("article", class_="update")
    fragment = BeautifulSoup(preview, "html5lib").find("article", class_="update")
    assert str(fragment) == str(shown)


def test_two_builds_are_byte_identical(url: str, tmp_path: Path) -> None:
    populate(url)
    first = tree(run_build(url, tmp_path, out_dir=tmp_path / "a").out_dir)
    second = tree(run_build(url, tmp_path, out_dir=tmp_path / "b").out_dir)
    assert first == second
    pages = [p for p in first if p.endswith(".html") or p.startswith("static/")]
    assert sorted(pages) == [
        "components/1.html",
        "components/2.html",
        "components/3.html",
        "components/4.html",
        "components/5.html",
        "components/5/history/2026-11.html",
        "components/6.html",
        "components/7.html",
        "components/8.html",
        "history.html",
        "history/2026-10.html",
        "history/2026-11.html",
        "incidents/1.html",
        "incidents/2.html",
        "incidents/3.html",
        "index.html",
        "static/localtime.js",
        "static/style.css",
        "static/widget.js",
        "subscribe.html",
    ]


def test_custom_theme_overrides_only_what_it_changes(url: str, tmp_path: Path) -> None:
    theme = tmp_path / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "base.html").write_text(
        '{% extends "!default/base.html" %}\n'
        '{% block footer %}<p class="custom">Acme Corp</p>{% endblock %}\n'
    )
    (theme / "static" / "style.css").write_text("/* acme */\n")
    (theme / "static" / "acme.svg").write_text("<svg></svg>\n")
    populate(url)
    config = settings(tmp_path, THEME=str(theme))
    result = run_build(url, tmp_path, config=config)
    soup = page(result.out_dir, "index.html")
    assert text(soup.footer) == "Acme Corp"
    # index.html still comes from default and extends the theme's base.html.
    assert text(soup.find(class_="banner")) == "Major System Outage"
    assert (result.out_dir / "static" / "style.css").read_text() == "/* acme */\n"
    assert (result.out_dir / "static" / "acme.svg").exists()
    assert result.files == len(tree(run_build(url, tmp_path).out_dir)) + 1
    # The preview goes through the same theme.
    assert latest_preview(config) == latest_preview(settings(tmp_path))


def test_unknown_theme_is_an_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="no-such-theme"):
        run_build(url, tmp_path, config=settings(tmp_path, THEME="no-such-theme"))


# --- the writer and atomic publishing --------------------------------------------


def test_build_swaps_a_symlink_and_keeps_one_previous_build(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    site = tmp_path / "site"
    run_build(url, tmp_path)
    first = os.readlink(site)
    run_build(url, tmp_path)
    second = os.readlink(site)
    result = run_build(url, tmp_path)
    third = os.readlink(site)
    assert result.out_dir == site
    assert site.is_symlink()
    assert len({first, second, third}) == 3
    builds = sorted(p.name for p in builds_dir(site).iterdir() if p.is_dir())
    assert builds == sorted([Path(second).name, Path(third).name])
    assert (site / "index.html").is_file()


def test_a_real_site_folder_is_moved_aside_once(url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "hand-made.html").write_text("mine")
    run_build(url, tmp_path)
    assert site.is_symlink()
    kept = [p for p in builds_dir(site).iterdir() if p.name.startswith("original-")]
    assert [(p / "hand-made.html").read_text() for p in kept] == ["mine"]
    run_build(url, tmp_path)
    run_build(url, tmp_path)
    assert kept[0].is_dir()  # what a person made is never deleted


def test_failed_build_leaves_the_previous_site_served(url: str, tmp_path: Path) -> None:
    populate(url)
    site = tmp_path / "site"
    run_build(url, tmp_path)
    before = tree(site)
    live = os.readlink(site)
    broken = tmp_path / "broken"
    (broken / "templates").mkdir(parents=True)
    # index.html renders first, so the failure comes with a half-written build.
    (broken / "templates" / "incident.html").write_text(
        '{% extends "!default/incident.html" %}\n'
        "{% block main %}{{ incident.no_such_field }}{% endblock %}\n"
    )
    with pytest.raises(Exception, match="no_such_field"):
        run_build(url, tmp_path, config=settings(tmp_path, THEME=str(broken)))
    assert os.readlink(site) == live
    assert tree(site) == before
    leftovers = [p.name for p in builds_dir(site).iterdir() if p.is_dir()]
    assert leftovers == [Path(live).name]


def test_failed_first_build_creates_nothing_served(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(SiteWriter, "copy", explode)
    with pytest.raises(OSError, match="disk full"):
        run_build(url, tmp_path)
    site = tmp_path / "site"
    assert not site.exists() and not site.is_symlink()
    assert [p for p in builds_dir(site).iterdir() if p.is_dir()] == []


def test_writer_refuses_a_path_twice_and_unsafe_paths(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path)
    writer.write_text("incidents/1.html", "one")
    with pytest.raises(WriterError, match="twice"):
        writer.write_text("incidents/1.html", "two")
    assert (tmp_path / "incidents/1.html").read_text() == "one"
    for bad in ["", "../x.html", "/etc/passwd", "a b.html", "a//b", "./a", ".hidden"]:
        with pytest.raises(WriterError):
            writer.write_text(bad, "x")
    assert writer.files == 1


# --- the contract: valid, accessible pages; pure stages --------------------------


def test_pages_are_valid_accessible_html5(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    for path in sorted(p for p in tree(site) if p.endswith(".html")):
        source = (site / path).read_text(encoding="utf-8")
        assert source.startswith("<!doctype html>\n"), path
        html5lib.HTMLParser(strict=True).parse(source)  # raises on any parse error
        soup = BeautifulSoup(source, "html5lib")
        assert soup.html["lang"] == "en", path
        assert len(soup.find_all("h1")) == 1, path
        for landmark in ("header", "main", "footer"):
            assert len(soup.find_all(landmark, recursive=True)) >= 1, path
        assert soup.find("meta", attrs={"name": "viewport"}), path
        ids = [e["id"] for e in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), path
        for labelled in soup.find_all(attrs={"aria-labelledby": True}):
            assert soup.find(id=labelled["aria-labelledby"]), path
    css = (site / "static" / "style.css").read_text()
    assert "prefers-color-scheme: dark" in css


def test_every_context_field_is_documented() -> None:
    documented = [
        contexts.OverallStatus,
        contexts.SiteContext,
        contexts.ComponentContext,
        contexts.GroupContext,
        contexts.ChangeContext,
        contexts.UpdateContext,
        contexts.AffectedContext,
        contexts.IncidentContext,
        contexts.MonthContext,
    ]
    for cls in documented:
        for f in dataclasses.fields(cls):
            assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help"


def test_snapshot_holds_no_orm_objects(url: str) -> None:
    populate(url)
    with db.session_scope(url) as session:
        snapshot = read_snapshot(session)

    def walk(value: Any) -> Iterator[Any]:
        yield value
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                yield from walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for item in value:
                yield from walk(item)

    allowed = (str, int, bool, datetime, type(None), tuple)
    for value in walk(snapshot):
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
        else:
            assert isinstance(value, allowed), type(value)
    assert [len(i.updates) for i in snapshot.incidents] == [2, 1, 2]


def test_render_package_does_not_import_flask() -> None:
    package = Path(contexts.__file__).parent
    for source in package.glob("*.py"):
        code = source.read_text()
        assert "import flask" not in code and "from flask" not in code, source.name
