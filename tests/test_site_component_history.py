"""A component's history: its page shows the newest months and links one page per
month, and a publish re-renders only the pages an update changes."""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statuspage import db
from statuspage.models import Incident, IncidentComponent

from .test_render import T0, add_component, add_update, page, run_build, text, tree

NOW = T0 + timedelta(hours=1)  # 26 Nov 2026: the window is September to November


def add_incident(s, title: str, at: datetime, *components: int) -> Incident:  # type: ignore[no-untyped-def]
    incident = Incident(
        title=title,
        severity="SEV-3",
        status="resolved",
        declared_at=at,
        resolved_at=at + timedelta(hours=1),
        updated_at=at + timedelta(hours=1),
    )
    s.add(incident)
    s.flush()
    for component in components:
        s.add(
            IncidentComponent(
                incident_id=incident.id, component_id=component, status="major_outage"
            )
        )
    add_update(s, incident, at + timedelta(hours=1), "resolved", current_impact="x")
    return incident


def day(month: int, d: int) -> datetime:
    return datetime(2026, month, d, 12, 0, tzinfo=UTC)


def populate_months(url: str) -> None:
    """Search (1) has incidents in November, October, July and May; Mail (2) in
    September and July; Docs (3) only in May; Billing (4) never."""
    with db.session_scope(url) as s:
        search = add_component(s, "Search").id
        mail = add_component(s, "Mail").id
        docs = add_component(s, "Docs").id
        add_component(s, "Billing")
        add_incident(s, "Search slow", day(11, 20), search)
        add_incident(s, "Search and mail down", day(11, 10), search, mail)
        add_incident(s, "Search errors", day(10, 5), search)
        add_incident(s, "Mail bounced", day(9, 14), mail)
        add_incident(s, "Reindex stuck", day(7, 30), search)
        add_incident(s, "Mail delayed", day(7, 2), mail)
        add_incident(s, "Search timeouts", day(5, 28), search)
        add_incident(s, "Search 500s", day(5, 3), search, docs)


def links(site: Path, path: str, container) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(text, href) of each link in `container`; every href must lead to a file."""
    out = []
    for a in container("a"):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), a["href"]))
        assert (site / target).is_file(), (path, a["href"])
        out.append((text(a), a["href"]))
    return out


def test_component_page_shows_recent_months_and_links_every_month(
    url: str, tmp_path: Path
) -> None:
    populate_months(url)
    site = run_build(url, tmp_path, now=NOW).out_dir
    path = "components/1.html"
    soup = page(site, path)
    shown = soup.find_all("section", class_="month")
    assert [text(s.h3) for s in shown] == ["November 2026", "October 2026"]
    incidents = [
        text(a) for s in shown for a in s.find("ul", class_="incident-list")("a")
    ]
    assert incidents == ["Search slow", "Search and mail down", "Search errors"]
    archive = soup.find("ul", class_="archive__months")
    assert [text(li) for li in archive("li")] == [
        "November 2026 (2 incidents)",
        "October 2026 (1 incident)",
        "July 2026 (1 incident)",
        "May 2026 (2 incidents)",
    ]
    assert [href for _, href in links(site, path, archive)] == [
        "../components/1/history/2026-11.html",
        "../components/1/history/2026-10.html",
        "../components/1/history/2026-07.html",
        "../components/1/history/2026-05.html",
    ]
    # The facts, the uptime bar and the feeds stay on the component's page.
    assert text(soup.h1) == "Search"
    assert soup.find("ol", class_="uptime__days") is not None
    feeds = {a["href"] for a in soup.find_all("link", rel="alternate")}
    assert feeds == {"../components/1.atom", "../components/1.rss"}


def test_component_page_without_recent_incidents_says_so(
    url: str, tmp_path: Path
) -> None:
    populate_months(url)
    site = run_build(url, tmp_path, now=NOW).out_dir
    docs = page(site, "components/3.html")
    main = text(docs.find("main"))
    assert "No incidents have affected Docs since the start of September 2026." in main
    assert docs.find("ul", class_="incident-list") is None
    archive = docs.find("ul", class_="archive__months")
    assert links(site, "components/3.html", archive) == [
        ("May 2026", "../components/3/history/2026-05.html")
    ]
    billing = page(site, "components/4.html")
    assert "No incidents have affected Billing." in text(billing.find("main"))
    assert billing.find("ul", class_="archive__months") is None
    assert not (site / "components/4").exists()


def test_month_page_lists_that_months_incidents_of_the_component(
    url: str, tmp_path: Path
) -> None:
    populate_months(url)
    site = run_build(url, tmp_path, now=NOW).out_dir
    path = "components/1/history/2026-07.html"
    soup = page(site, path)
    assert text(soup.h1) == "Search: incidents in July 2026"
    listed = soup.find("ul", class_="incident-list")
    # Mail's July incident is on Mail's page, not here.
    assert links(site, path, listed) == [("Reindex stuck", "../../../incidents/5.html")]
    nav = soup.find("nav", class_="pagination")
    assert links(site, path, nav) == [
        ("Newer: October 2026", "../../../components/1/history/2026-10.html"),
        ("Search: status and all months", "../../../components/1.html"),
        ("Older: May 2026", "../../../components/1/history/2026-05.html"),
    ]
    feeds = soup.find_all("link", rel="alternate")
    assert {a["href"] for a in feeds} == {
        "../../../components/1.atom",
        "../../../components/1.rss",
    }
    for feed in feeds:
        assert (site / "components" / Path(feed["href"]).name).is_file()
    assert [text(a) for a in soup.find("main").p("a")] == ["Atom feed", "RSS feed"]
    # The newest month has no newer link, the oldest no older one; months without
    # incidents of the component have no page.
    newest = page(site, "components/1/history/2026-11.html")
    nav = newest.find("nav", class_="pagination")
    assert [t for t, _ in links(site, "components/1/history/2026-11.html", nav)] == [
        "Search: status and all months",
        "Older: October 2026",
    ]
    months = sorted(p.name for p in (site / "components/1/history").iterdir())
    assert months == ["2026-05.html", "2026-07.html", "2026-10.html", "2026-11.html"]
    mail = page(site, "components/2/history/2026-11.html")
    assert [text(a) for a in mail.find("ul", class_="incident-list")("a")] == [
        "Search and mail down"
    ]


def inodes(site: Path) -> dict[str, int]:
    return {p: (site / p).stat().st_ino for p in tree(site)}


def test_an_update_rerenders_only_its_month_of_the_component(
    url: str, tmp_path: Path
) -> None:
    populate_months(url)
    site = tmp_path / "site"
    run_build(url, tmp_path, now=NOW)
    before = inodes(site)
    at = NOW + timedelta(minutes=5)
    with db.session_scope(url) as s:  # a postmortem on "Search slow" (November)
        incident = s.get(Incident, 1)
        assert incident is not None and incident.title == "Search slow"
        add_update(s, incident, at, "postmortem", current_impact="Root cause found.")
        incident.status = "postmortem"
        incident.updated_at = at
        s.add(incident)
    result = run_build(url, tmp_path, now=at)
    assert result.incremental
    after = inodes(site)
    rerendered = {p for p in after if after[p] != before.get(p)}
    search = {p for p in rerendered if p.startswith("components/1")}
    assert search == {
        "components/1.html",
        "components/1.atom",
        "components/1.rss",
        "components/1/history/2026-11.html",
    }
    assert not {p for p in rerendered if p.startswith(("components/2", "components/3"))}
    soup = page(site, "components/1/history/2026-11.html")
    assert "Postmortem" in text(soup.find("ul", class_="incident-list"))
    full = run_build(url, tmp_path, now=at, full=True, out_dir=tmp_path / "full")
    assert tree(site) == tree(full.out_dir)


def test_the_shown_months_move_with_the_clock(url: str, tmp_path: Path) -> None:
    populate_months(url)
    site = tmp_path / "site"
    run_build(url, tmp_path, now=NOW)
    before = inodes(site)
    later = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)  # window: November to January
    assert run_build(url, tmp_path, now=later).incremental
    after = inodes(site)
    soup = page(site, "components/1.html")
    assert [text(s.h3) for s in soup.find_all("section", class_="month")] == [
        "November 2026"
    ]
    assert after["components/1.html"] != before["components/1.html"]
    for month in ("2026-11", "2026-10", "2026-07", "2026-05"):
        path = f"components/1/history/{month}.html"
        assert after[path] == before[path], path
    full = run_build(url, tmp_path, now=later, full=True, out_dir=tmp_path / "full")
    assert tree(site) == tree(full.out_dir)


def test_a_busy_month_lists_its_newest_25_and_links_all_of_them(
    url: str, tmp_path: Path
) -> None:
    # A month of 30 incidents: history.html and the component's page list the
    # newest 25 and lead to the month's page, which lists all 30.
    with db.session_scope(url) as s:
        search = add_component(s, "Search").id
        for n in range(30):
            add_incident(
                s, f"Search incident {n}", day(11, 1) + timedelta(hours=n), search
            )
    site = run_build(url, tmp_path, now=NOW).out_dir
    for path, month_page in (
        ("history.html", "history/2026-11.html"),
        (f"components/{search}.html", f"components/{search}/history/2026-11.html"),
    ):
        doc = page(site, path)
        section = doc.find("section", attrs={"aria-labelledby": "month-2026-11"})
        titles = [text(a) for a in section.select(".incident-list a")]
        assert titles == [f"Search incident {n}" for n in range(29, 4, -1)], path
        ((label, href),) = links(site, path, section.select_one(".month__more"))
        assert label == "All 30 incidents in November 2026"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
        assert target == month_page
        everything = page(site, month_page).select(".incident-list a")
        assert len(everything) == 30
