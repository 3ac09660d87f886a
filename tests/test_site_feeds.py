"""Atom and RSS feeds: parsed back with feedparser and checked against RFC 4287."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
from sqlmodel import col, select

from statuspage import db
from statuspage.models import Component, Incident, Update

from .test_render import T0, add_update, page, populate, run_build, settings

ATOM = "{http://www.w3.org/2005/Atom}"


def guids_newest_first(url: str, incident_ids: set[int] | None = None) -> list[str]:
    with db.session_scope(url) as s:
        rows = s.exec(
            select(Update).order_by(
                col(Update.published_at).desc(), col(Update.id).desc()
            )
        ).all()
        return [
            u.guid
            for u in rows
            if incident_ids is None or u.incident_id in incident_ids
        ]


def test_atom_has_the_required_elements(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    raw = (site / "history.atom").read_bytes()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(raw)
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text, required
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Acme Status"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == guids_newest_first(url)
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, required
        assert entry.find(f"{ATOM}content").get("type") == "html"
    # The feed's updated time is its newest entry's.
    assert root.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}updated").text
    assert root.find(f"{ATOM}updated").text == "2026-11-26T16:30:00+00:00"
    selfs = [
        link.get("href")
        for link in root.findall(f"{ATOM}link")
        if link.get("rel") == "self"
    ]
    assert selfs == ["https://status.example.com/history.atom"]
    first = parsed.entries[0]
    assert first.title == "Checkout failing: Identified"
    assert first.link == "https://status.example.com/incidents/3.html"
    assert "All card payments fail at checkout." in first.content[0].value


def test_rss_has_its_own_self_link_and_rfc822_dates(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    raw = (site / "history.rss").read_bytes()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = ET.fromstring(raw).find("channel")
    assert channel.find("title").text == "Acme Status history"
    assert channel.find("link").text == "https://status.example.com/history.html"
    assert channel.find("description").text
    selfs = [
        link.get("href")
        for link in channel.findall(f"{ATOM}link")
        if link.get("rel") == "self"
    ]
    assert selfs == ["https://status.example.com/history.rss"]
    items = channel.findall("item")
    assert [i.find("guid").text for i in items] == guids_newest_first(url)
    assert all(i.find("guid").get("isPermaLink") == "false" for i in items)
    dates = [parsedate_to_datetime(i.find("pubDate").text) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == T0 + timedelta(minutes=30)
    assert channel.find("lastBuildDate").text == items[0].find("pubDate").text


def test_entry_ids_never_change(url: str, tmp_path: Path) -> None:
    populate(url)
    before = feedparser.parse(
        (run_build(url, tmp_path).out_dir / "history.atom").read_bytes()
    )
    with db.session_scope(url) as s:
        live = s.get(Incident, 3)
        add_update(
            s, live, T0 + timedelta(minutes=45), "monitoring", current_impact="x"
        )
    after = feedparser.parse(
        (run_build(url, tmp_path).out_dir / "history.atom").read_bytes()
    )
    old_ids = [e.id for e in before.entries]
    new_ids = [e.id for e in after.entries]
    assert new_ids[1:] == old_ids
    assert new_ids[0] not in old_ids
    assert after.feed.updated == "2026-11-26T16:45:00+00:00"


def test_component_feeds_hold_only_their_incidents(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    with db.session_scope(url) as s:
        checkout = s.exec(select(Component).where(Component.name == "Checkout")).one()
        website = s.exec(select(Component).where(Component.name == "Website")).one()
    atom = feedparser.parse((site / f"components/{checkout.id}.atom").read_bytes())
    rss = feedparser.parse((site / f"components/{checkout.id}.rss").read_bytes())
    assert not atom.bozo and not rss.bozo
    assert [e.id for e in atom.entries] == guids_newest_first(url, {3})
    assert [e.id for e in rss.entries] == guids_newest_first(url, {3})
    assert atom.feed.title == "Acme Status: Checkout"
    empty = feedparser.parse((site / f"components/{website.id}.atom").read_bytes())
    assert not empty.bozo and empty.entries == []
    assert empty.feed.updated == "2026-11-26T16:00:00+00:00"  # component creation


def test_pages_announce_their_feeds(url: str, tmp_path: Path) -> None:
    populate(url)
    site = run_build(url, tmp_path).out_dir
    for path in ("index.html", "history.html", "incidents/3.html"):
        links = page(site, path).find_all("link", rel="alternate")
        assert {(x["type"], x["href"].rsplit("/", 1)[-1]) for x in links} == {
            ("application/atom+xml", "history.atom"),
            ("application/rss+xml", "history.rss"),
        }, path
    component = page(site, "components/5.html")
    hrefs = {x["href"] for x in component.find_all("link", rel="alternate")}
    assert hrefs == {"../components/5.atom", "../components/5.rss"}


def test_feeds_without_public_url_still_parse(url: str, tmp_path: Path) -> None:
    populate(url)
    config = settings(tmp_path, PUBLIC_URL="")
    site = run_build(url, tmp_path, config=config).out_dir
    for name in ("history.atom", "history.rss"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, name
    root = ET.fromstring((site / "history.atom").read_bytes())
    assert root.find(f"{ATOM}id").text.startswith("tag:statuspage,2026:")
