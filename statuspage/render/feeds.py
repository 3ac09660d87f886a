"""Atom and RSS feeds, built in code with feedgen (as Pelican's `Writer.write_feed`).

One entry per update, newest first; an entry's id is the update's `guid`, stored when
the update was created and never changed. Each format gets its own `rel="self"` link
(feedgen would otherwise write one to both), and the feed's updated time is its
newest entry's, so two builds of the same data give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedgen.feed import FeedGenerator

from .contexts import status_label
from .snapshot import IncidentSnap, UpdateSnap

FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its title, its paths and what it holds."""

    title: str
    stem: str  # "history" or "components/3": the .atom and .rss paths
    alternate: str  # the page the feed is about, relative to the site root
    subtitle: str


def newest_updates(
    incidents: Iterable[IncidentSnap], limit: int = FEED_ENTRIES
) -> list[tuple[IncidentSnap, UpdateSnap]]:
    """The newest `limit` updates of these incidents, newest first."""
    pairs = [(i, u) for i in incidents for u in i.updates]
    pairs.sort(key=lambda p: (p[1].published_at, p[1].id), reverse=True)
    return pairs[:limit]


def _absolute(base: str, path: str) -> str:
    return f"{base}/{path}" if base else path


def render_feeds(
    spec: FeedSpec,
    entries: Sequence[tuple[IncidentSnap, UpdateSnap]],
    settings: Mapping[str, Any],
    fallback_updated: datetime,
    render_update: Callable[[IncidentSnap, UpdateSnap], str],
    feed_id_prefix: str,
) -> dict[str, bytes]:
    """The Atom and RSS files of one feed, path -> bytes."""
    base = str(settings.get("PUBLIC_URL") or "").rstrip("/")
    name = str(settings.get("PAGE_NAME") or "Status")
    updated = entries[0][1].published_at if entries else fallback_updated
    out = {}
    fg = FeedGenerator()
    # Atom needs an absolute IRI as id; without PUBLIC_URL a tag URI stands in.
    fg.id(
        _absolute(base, f"{spec.stem}.atom")
        if base
        else f"{feed_id_prefix}:{spec.stem}"
    )
    fg.title(spec.title)
    fg.subtitle(spec.subtitle)
    fg.author({"name": name})
    fg.language("en")
    fg.generator("statuspage")
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for incident, update in entries:
        fe = fg.add_entry(order="append")
        fe.id(update.guid)
        fe.guid(update.guid, permalink=False)
        fe.title(f"{incident.title}: {status_label(update.status)}")
        fe.link(href=_absolute(base, f"incidents/{incident.id}.html"))
        fe.published(update.published_at)
        fe.updated(update.published_at)
        fe.content(render_update(incident, update), type="html")
    # The same entries in both formats; each gets its own `rel="self"` link.
    for fmt, mime in (("atom", "application/atom+xml"), ("rss", "application/rss+xml")):
        path = f"{spec.stem}.{fmt}"
        # feedgen uses the last link() as the RSS channel link: self first.
        fg.link(href=_absolute(base, path), rel="self", type=mime, replace=True)
        fg.link(href=_absolute(base, spec.alternate) or "./", rel="alternate")
        data = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
        out[path] = data
    return out
