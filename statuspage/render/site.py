"""The generator stage: every file of the site as a job with a fingerprint.

A job knows its paths, which incidents it must read in full, and a fingerprint of
everything its output depends on, computed from the cheap read alone. An incremental
build renders only the jobs whose fingerprint changed since the live build and links
the other files from it; a full build renders them all. Both run the same render
functions on the same data, so their outputs are byte-identical (a test compares
the trees). Jobs without a fingerprint (the front page, the JSON, the site feeds)
are always rendered: they are few and depend on nearly everything.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment

from . import api, contexts, feeds, uptime
from .snapshot import (
    Base,
    ComponentSnap,
    IncidentRow,
    IncidentSnap,
    Snapshot,
    snapshot_of,
)
from .theme import Theme

HISTORY_MONTHS = 3  # months on the first history page, as Statuspage shows
# Incidents of a month listed there (and on a component's page); its own page has
# them all. A busy month would otherwise make a very long first page.
HISTORY_MONTH_ITEMS = 25
UPTIME_DAYS = 90


def digest(*parts: Any) -> str:
    """A stable fingerprint of plain values (their repr)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


_KEYS: dict[int, tuple[IncidentRow, str, str, Job]] = {}


def _row_keys(
    rows: Iterable[IncidentRow],
) -> tuple[dict[int, str], dict[int, str], list[Job]]:
    """`row_key`, month and page job of each row (the first two by incident id),
    reusing those of rows seen before: `read_base` hands back the very same
    (frozen) row objects for incidents that did not change, so only new or changed
    rows are computed. An incident's page is a function of its row alone."""
    global _KEYS
    seen, fresh = _KEYS, {}
    keys, months, jobs = {}, {}, []
    for r in rows:
        hit = seen.get(id(r))
        if hit is None or hit[0] is not r:
            key = row_key(r)
            job = Job(
                (f"incidents/{r.id}.html",), key, (r.id,), _incident_renderer(r.id)
            )
            hit = (r, key, contexts.month_key(r.declared_at), job)
        fresh[id(r)] = hit
        keys[r.id], months[r.id] = hit[1], hit[2]
        jobs.append(hit[3])
    _KEYS = fresh
    return keys, months, jobs


def row_key(row: IncidentRow) -> str:
    """What an incident's own page depends on, from its row alone.

    Published updates are immutable and every new one moves `updated_at`, the count
    and the last id, so an unchanged key means an unchanged incident page.
    """
    affected = ";".join(
        f"{a.component_id}={a.status}" for a in row.affected
    )  # names are in the global key
    resolved = row.resolved_at.timestamp() if row.resolved_at else ""
    last = row.last_published_at.timestamp() if row.last_published_at else ""
    # Timestamps, not str(datetime): this runs for every incident on every publish.
    text = (
        f"{row.id}|{row.title}|{row.severity}|{row.status}|"
        f"{row.declared_at.timestamp()}|{resolved}|{row.updated_at.timestamp()}|"
        f"{affected}|{row.update_count}|{row.last_update_id}|{last}"
    )
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass
class Job:
    """Some files of the site and how to make them."""

    paths: tuple[str, ...]
    key: str | None  # None: always rendered
    needs: tuple[int, ...]  # incident ids read in full to render it
    render: Callable[[RenderState], Mapping[str, str | bytes]]


@dataclass
class RenderState:
    """What the render functions share: data, environment, settings, clock."""

    env: Environment
    snapshot: Snapshot
    loaded: dict[int, IncidentSnap]
    settings: Mapping[str, Any]
    now: datetime
    site: contexts.SiteContext
    status: contexts.OverallStatus
    uptimes: dict[int, contexts.UptimeContext]
    months: list[str]
    rows_by_month: dict[str, list[IncidentRow]]
    rows_by_component: dict[int, list[IncidentRow]]
    feeds: tuple[contexts.FeedLink, ...]
    entry_html: dict[int, str] = field(default_factory=dict)
    global_key: str = ""  # see `global_key`; "" when unknown
    # The API's lists, newest first (None: api.py finds them itself).
    recent_ids: list[int] | None = None
    unresolved_ids: list[int] | None = None

    def month(self, key: str, limit: int | None = None) -> contexts.MonthContext:
        """One month of the history with its incidents (at most `limit` of them)."""
        rows = self.rows_by_month.get(key, ())
        return contexts.month_context(key, map(_item, rows), limit=limit)

    def page(self, path: str, template: str, **extra: Any) -> str:
        """Render one HTML page."""
        context = contexts.page_context(
            path, self.site, feeds=extra.pop("feeds", self.feeds), **extra
        )
        return self.env.get_template(template).render(context)


def theme_key(theme: Theme) -> str:
    """A fingerprint of the theme files and of the package's code.

    All of the package, not only render/: pages also show what other modules
    compute (the checkpoints' on-time line), and a deploy should rebuild in full.
    """
    h = hashlib.blake2b(_code_key().encode(), digest_size=16)
    files = []
    for folder in dict.fromkeys([theme.default_path, theme.path]):
        for source in sorted(folder.rglob("*")):
            if "__pycache__" not in source.parts and source.is_file():
                files.append((folder, source))
    # Read and hash the theme's files only when one of them looks changed (the
    # publish path runs this every time).
    stamp = tuple(
        (str(source), st.st_mtime_ns, st.st_size, st.st_ino)
        for _folder, source in files
        for st in (source.stat(),)
    )
    known = _THEME_KEYS.get(stamp)
    if known is not None:
        return known
    for folder, source in files:
        h.update(str(source.relative_to(folder)).encode())
        h.update(source.read_bytes())
    _THEME_KEYS.clear()
    _THEME_KEYS[stamp] = h.hexdigest()
    return _THEME_KEYS[stamp]


@functools.cache
def _code_key() -> str:
    """A fingerprint of the package's code, once per process: the code that runs
    is the code that was imported, whatever happens to the files later."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        if "__pycache__" not in source.parts and source.is_file():
            h.update(str(source.relative_to(package)).encode())
            h.update(source.read_bytes())
    return h.hexdigest()


_THEME_KEYS: dict[tuple[tuple[str, int, int, int], ...], str] = {}


def global_key(base: Base, settings: Mapping[str, Any], theme: Theme) -> str:
    """What every page depends on: theme, code, settings, names of components."""
    names = [(c.id, c.name, c.group_id) for c in base.components]
    groups = [(g.id, g.name) for g in base.groups]
    wanted: tuple[str, ...] = (
        *("PAGE_NAME", "PUBLIC_URL", "TIME_ZONE", "APP_URL", "PAGE_ID", "THEME"),
        *("SHOW_ON_TIME_RATE", "CHECKPOINT_GRACE"),  # the on-time line
    )
    return digest(
        theme_key(theme), [str(settings.get(k)) for k in wanted], names, groups
    )


def _uptimes(base: Base, now: datetime) -> dict[int, contexts.UptimeContext]:
    by_component: dict[int, list[Any]] = {}
    for change in base.changes:
        by_component.setdefault(change.component_id, []).append(change)
    out, fresh = {}, {}
    for c in base.components:
        days = uptime.day_statuses(
            c,
            by_component.get(c.id, []),
            uptime.windows_for(c.id, base.maintenances),
            now,
            UPTIME_DAYS,
        )
        percent = uptime.uptime_percent(days, now)
        # The same object while the bar looks the same, so the plan's memo (which
        # goes by identity) can reuse what depends on it.
        known = _UPTIMES.get((c.id, percent, tuple(days)))
        if known is None:
            known = contexts.UptimeContext(
                days=tuple(
                    contexts.UptimeDay(
                        date=d.isoformat(),
                        label=f"{d.day} {contexts.MONTHS[d.month - 1][:3]} {d.year}",
                        status=status,
                        status_label="No data"
                        if status == uptime.NO_DATA
                        else contexts.status_label(status),
                        outage_minutes=minutes,
                    )
                    for d, status, minutes in days
                ),
                percent=percent,
            )
        fresh[(c.id, percent, tuple(days))] = known
        out[c.id] = known
    _UPTIMES.clear()
    _UPTIMES.update(fresh)
    return out


_UPTIMES: dict[tuple[Any, ...], contexts.UptimeContext] = {}


def _newest_rows(rows: Sequence[IncidentRow]) -> list[IncidentRow]:
    """The rows whose last update is among the FEED_ENTRIES newest of `rows`
    (ties included)."""
    dated = [r for r in rows if r.last_published_at is not None]
    if len(dated) <= feeds.FEED_ENTRIES:
        return dated
    times = heapq.nlargest(feeds.FEED_ENTRIES, (r.last_published_at for r in dated))  # type: ignore[type-var]
    return [r for r in dated if r.last_published_at >= times[-1]]  # type: ignore[operator]


def _feed_candidates(rows: Iterable[IncidentRow]) -> list[int]:
    """Incidents that can hold one of the newest FEED_ENTRIES updates among `rows`.

    Let T be the FEED_ENTRIES-th newest "last update" time: an incident whose last
    update is older than T has every update behind at least FEED_ENTRIES newer ones.
    """
    dated = [r for r in rows if r.last_published_at is not None]
    if len(dated) <= feeds.FEED_ENTRIES:
        return sorted(r.id for r in dated)
    times = heapq.nlargest(feeds.FEED_ENTRIES, (r.last_published_at for r in dated))  # type: ignore[type-var]
    cutoff = times[-1]
    return sorted(r.id for r in dated if r.last_published_at >= cutoff)  # type: ignore[operator]


T = TypeVar("T")


class _Memo:
    """What the plan makes from groups of incident rows, kept for the next plan.

    `read_base` hands back the very same (frozen) row objects for incidents that
    did not change, so a value made from the same objects (`held`, compared by
    identity) and equal other inputs (`inputs`, compared by value) is reused as it
    is: on a publish, all but the one or two groups holding the changed incident.
    An entry keeps its objects alive, so no other object can take their ids.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.old: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
        self.new: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
        # With a limit, entries stay across plans (until there are that many):
        # for values made inside another one, which a hit of the outer one skips.
        self.limit = limit

    def get(
        self, inputs: tuple[Any, ...], held: Sequence[Any], make: Callable[[], T]
    ) -> T:
        """The value for these inputs: the kept one, or `make()`."""
        key = (inputs, tuple(map(id, held)))
        hit = self.old.get(key)
        if hit is None:
            hit = (tuple(held), make())
            if self.limit is not None:
                if len(self.old) >= self.limit:
                    self.old.clear()
                self.old[key] = hit
        if self.limit is None:
            self.new[key] = hit
        return hit[1]  # type: ignore[no-any-return]

    def done(self) -> None:
        """Keep what this plan used, for the next one; drop the rest."""
        if self.limit is None:
            self.old, self.new = self.new, {}


_MEMO = _Memo()
_KEPT = _Memo(limit=20_000)  # the parts of a component's jobs


def plan(
    base: Base,
    settings: Mapping[str, Any],
    now: datetime,
) -> tuple[list[Job], dict[str, Any]]:
    """Every job of the site, and the facts shared by their render functions."""
    memo = _MEMO
    keys, month_of, incident_jobs = _row_keys(base.rows)
    uptimes = _uptimes(base, now)
    current = contexts.month_key(now)
    known_months = set(month_of.values())
    months = contexts.month_range(
        min([*known_months, current]), max([*known_months, current])
    )
    by_month: dict[str, list[IncidentRow]] = {m: [] for m in months}
    by_component: dict[int, list[IncidentRow]] = {c.id: [] for c in base.components}
    unresolved = []
    for r in base.rows:  # in id order
        by_month[month_of[r.id]].append(r)
        for a in r.affected:
            by_component.setdefault(a.component_id, []).append(r)
        if r.status in contexts.OPEN_STATUSES:
            unresolved.append(r.id)
    # The most recently declared: from the newest months (`months` is newest first,
    # and a month's incidents were all declared after an older month's).
    newest: list[IncidentRow] = []
    for key in months:
        if len(newest) >= api.RECENT_INCIDENTS:
            break
        newest += by_month[key]
    newest.sort(key=lambda r: (r.declared_at, r.id), reverse=True)
    recent_ids = [r.id for r in newest[: api.RECENT_INCIDENTS]]
    # The site feed's candidates, from each month's own (kept while its rows are the
    # same): every incident that can hold one of the newest FEED_ENTRIES updates
    # of the site is among those of its month.
    site_feeds = _feed_candidates(
        row
        for key in months
        for row in memo.get(
            ("feed-rows", key),
            by_month[key],
            functools.partial(_newest_rows, by_month[key]),
        )
    )
    open_rows = sorted(
        (r for r in newest if r.status in contexts.OPEN_STATUSES),
        key=lambda r: (r.declared_at, r.id),
        reverse=True,
    )
    if len(open_rows) != len(unresolved):  # open incidents beyond the newest months
        open_rows = sorted(
            (r for r in base.rows if r.status in contexts.OPEN_STATUSES),
            key=lambda r: (r.declared_at, r.id),
            reverse=True,
        )
    shared = {
        "uptimes": uptimes,
        "months": months,
        "by_month": by_month,
        "by_component": by_component,
        "recent_ids": recent_ids,
        "unresolved_ids": [r.id for r in open_rows],
    }

    jobs: list[Job] = [
        Job(
            ("index.html", "badge.svg", "subscribe.html"),
            None,
            tuple(unresolved),
            _render_front,
        ),
        Job(
            tuple(api.FILES),
            None,
            tuple(sorted(set(unresolved) | set(recent_ids))),
            _render_api,
        ),
        Job(
            ("history.atom", "history.rss"), None, tuple(site_feeds), _render_site_feeds
        ),
        Job(("history.html",), None, (), _render_history_index),
    ]
    for n, key in enumerate(months):
        newer = months[n - 1] if n > 0 else None
        older = months[n + 1] if n + 1 < len(months) else None
        rows = by_month[key]
        make = functools.partial(_month_job, key, newer, older, rows, keys)
        jobs.append(memo.get(("month", key, newer, older), rows, make))
    # A component's page shows its incidents of the newest months (the window
    # moves with the clock, so it is in the key) and counts the rest by month; each
    # month with incidents of it has a page of its own.
    window = tuple(months[:HISTORY_MONTHS])
    for c in base.components:
        mine = by_component.get(c.id, [])
        make_all = functools.partial(
            _component_jobs, c, mine, uptimes[c.id], window, keys, month_of
        )
        jobs += memo.get(("component", c, window), [*mine, uptimes[c.id]], make_all)
    jobs += incident_jobs  # in id order
    memo.done()
    return jobs, shared


def _month_job(
    key: str,
    newer: str | None,
    older: str | None,
    rows: list[IncidentRow],
    keys: Mapping[int, str],
) -> Job:
    """A month of the site's history."""
    return Job(
        (f"history/{key}.html",),
        digest(key, newer, older, [keys[r.id] for r in rows]),
        (),
        _month_renderer(key, newer, older),
    )


def _component_jobs(
    c: ComponentSnap,
    mine: list[IncidentRow],
    uptime_context: contexts.UptimeContext,
    window: tuple[str, ...],
    keys: Mapping[int, str],
    month_of: Mapping[int, str],
) -> list[Job]:
    """A component's page, its month pages and its feeds (the parts made from
    unchanged months, and the uptime's fingerprint, are kept between plans)."""
    kept = _KEPT
    jobs = []
    own: dict[str, list[IncidentRow]] = {}
    for r in mine:
        own.setdefault(month_of[r.id], []).append(r)
    archive = [(k, len(own[k])) for k in sorted(own, reverse=True)]
    recent = {k: own[k] for k in window if k in own}
    shown = [keys[r.id] for rows in recent.values() for r in rows]
    bar = kept.get(("uptime",), [uptime_context], partial(digest, uptime_context))
    jobs.append(
        Job(
            (f"components/{c.id}.html",),
            digest(c, bar, list(window), shown, archive),
            (),
            _component_renderer(c.id, recent, archive, window[-1]),
        )
    )
    for n, (key, _count) in enumerate(archive):
        newer = archive[n - 1] if n > 0 else None
        older = archive[n + 1] if n + 1 < len(archive) else None
        make = partial(_component_month_job, c, key, newer, older, own[key], keys)
        inputs = ("month", c.name, c.id, key, newer, older)
        jobs.append(kept.get(inputs, own[key], make))
    candidates = _feed_candidates(
        row
        for key, _count in archive
        for row in kept.get(("feed-rows",), own[key], partial(_newest_rows, own[key]))
    )
    jobs.append(
        Job(
            (f"components/{c.id}.atom", f"components/{c.id}.rss"),
            digest(c.name, c.created_at, [keys[i] for i in candidates]),
            tuple(candidates),
            _component_feed_renderer(c.id, candidates),
        )
    )
    return jobs


def _component_month_job(
    c: ComponentSnap,
    key: str,
    newer: tuple[str, int] | None,
    older: tuple[str, int] | None,
    rows: list[IncidentRow],
    keys: Mapping[int, str],
) -> Job:
    """A component's page for one month."""
    return Job(
        (contexts.component_month_path(c.id, key),),
        digest(c.name, c.id, key, newer, older, [keys[r.id] for r in rows]),
        (),
        _component_month_renderer(c.id, key, newer, older, rows),
    )


def state_for(
    env: Environment,
    base: Base,
    loaded: dict[int, IncidentSnap],
    settings: Mapping[str, Any],
    now: datetime,
    shared: Mapping[str, Any],
) -> RenderState:
    """The render state for a build."""
    snapshot = snapshot_of(base, loaded)
    site = contexts.site_context(snapshot, settings, now)
    has_open = any(r.status in contexts.OPEN_STATUSES for r in base.rows)
    status = contexts.overall_status(
        (c.status for c in base.components), has_open_incident=has_open
    )
    name = site.page_name
    site_feeds = (
        contexts.FeedLink(
            f"{name} history (Atom)", "history.atom", "application/atom+xml"
        ),
        contexts.FeedLink(
            f"{name} history (RSS)", "history.rss", "application/rss+xml"
        ),
    )
    return RenderState(
        env=env,
        snapshot=snapshot,
        loaded=loaded,
        settings=settings,
        now=now,
        site=site,
        status=status,
        uptimes=shared["uptimes"],
        months=shared["months"],
        rows_by_month=shared["by_month"],
        rows_by_component=shared["by_component"],
        feeds=site_feeds,
        global_key=str(shared.get("global_key") or ""),
        recent_ids=shared.get("recent_ids"),
        unresolved_ids=shared.get("unresolved_ids"),
    )


# --- render functions ------------------------------------------------------------


def _render_front(s: RenderState) -> dict[str, str | bytes]:
    ungrouped, groups = contexts.component_groups(s.snapshot, s.uptimes)
    open_ids = sorted(
        (r for r in s.snapshot.rows if r.status in contexts.OPEN_STATUSES),
        key=lambda r: (r.declared_at, r.id),
        reverse=True,
    )
    open_incidents = tuple(contexts.incident_context(s.loaded[r.id]) for r in open_ids)
    active, upcoming = contexts.maintenance_lists(s.snapshot, s.now)
    # Display order, hidden ones included: ungrouped first, then group by group.
    group_rank = {
        g.id: n
        for n, g in enumerate(
            sorted(s.snapshot.groups, key=lambda g: (g.position, g.name, g.id))
        )
    }
    components = sorted(
        s.snapshot.components,
        key=lambda c: (group_rank.get(c.group_id, -1), c.position, c.name, c.id),
    )
    return {
        "index.html": s.page(
            "index.html",
            "index.html",
            status=s.status,
            ungrouped=ungrouped,
            groups=groups,
            open_incidents=open_incidents,
            active_maintenance=active,
            upcoming_maintenance=upcoming,
        ),
        "badge.svg": s.env.get_template("badge.svg").render(
            status=s.status, site=s.site
        ),
        "subscribe.html": s.page(
            "subscribe.html",
            "subscribe.html",
            components=tuple(contexts._component(c) for c in components),
            subscribe_url=str(s.settings.get("APP_URL") or "").rstrip("/")
            + "/subscribe",
        ),
    }


def _render_api(s: RenderState) -> dict[str, str | bytes]:
    return dict(
        api.api_files(
            s.snapshot,
            s.loaded,
            s.settings,
            s.status,
            s.site.last_updated,
            s.now,
            recent=s.recent_ids,
            unresolved=s.unresolved_ids,
        )
    )


# A feed entry's HTML by update id, kept between builds: published updates never
# change, so it is reused while the update, its incident's title and severity, and
# the global key (theme, code, settings) are the same.
_ENTRIES: dict[int, tuple[Any, str, str, str, str]] = {}


def _feed_entry_renderer(s: RenderState) -> Callable[[IncidentSnap, Any], str]:
    template = s.env.get_template("_update.html")

    def render(incident: IncidentSnap, update: Any) -> str:
        # An update appears in the site feed and its components' feeds: render once.
        html = s.entry_html.get(update.id)
        if html is not None:
            return html
        known = _ENTRIES.get(update.id)
        if (
            known is not None
            and known[1:4] == (incident.title, incident.severity, s.global_key)
            and s.global_key
            and (known[0] is update or known[0] == update)
        ):
            html = known[4]
        else:
            html = template.render(update=contexts._update(incident, update))
            if len(_ENTRIES) > 5_000:
                _ENTRIES.clear()
            _ENTRIES[update.id] = (
                update,
                incident.title,
                incident.severity,
                s.global_key,
                html,
            )
        s.entry_html[update.id] = html
        return html

    return render


def _feed_prefix(s: RenderState) -> str:
    return f"tag:statuspage,2026:{api.page_id(s.settings)}"


def _render_site_feeds(s: RenderState) -> dict[str, str | bytes]:
    spec = feeds.FeedSpec(
        title=f"{s.site.page_name} history",
        stem="history",
        alternate="history.html",
        subtitle=f"Incident updates from {s.site.page_name}",
    )
    entries = feeds.newest_updates(s.loaded[i] for i in sorted(s.loaded))
    return dict(
        feeds.render_feeds(
            spec,
            entries,
            s.settings,
            s.site.last_updated,
            _feed_entry_renderer(s),
            _feed_prefix(s),
        )
    )


def _render_history_index(s: RenderState) -> dict[str, str | bytes]:
    shown = [s.month(k, HISTORY_MONTH_ITEMS) for k in s.months[:HISTORY_MONTHS]]
    archive = [
        contexts.MonthContext(
            k,
            contexts.month_label(k),
            (),
            f"history/{k}.html",
            len(s.rows_by_month.get(k, ())),
        )
        for k in s.months
    ]
    return {
        "history.html": s.page(
            "history.html",
            "history.html",
            months=tuple(shown),
            archive=tuple(archive),
            older=archive[HISTORY_MONTHS] if len(archive) > HISTORY_MONTHS else None,
        )
    }


def _month_renderer(
    key: str, newer: str | None, older: str | None
) -> Callable[[RenderState], dict[str, str | bytes]]:
    def render(s: RenderState) -> dict[str, str | bytes]:
        path = f"history/{key}.html"
        link = contexts.month_context
        return {
            path: s.page(
                path,
                "history_month.html",
                month=s.month(key),
                newer=link(newer, ()) if newer else None,
                older=link(older, ()) if older else None,
            )
        }

    return render


def _component_feeds(component_id: int, name: str) -> tuple[contexts.FeedLink, ...]:
    return (
        contexts.FeedLink(
            f"{name} updates (Atom)",
            f"components/{component_id}.atom",
            "application/atom+xml",
        ),
        contexts.FeedLink(
            f"{name} updates (RSS)",
            f"components/{component_id}.rss",
            "application/rss+xml",
        ),
    )


def _component_months(
    component_id: int, months: Iterable[tuple[str, int]]
) -> tuple[contexts.MonthContext, ...]:
    """Links to a component's month pages, with counts and without incidents."""
    return tuple(
        contexts.MonthContext(
            k,
            contexts.month_label(k),
            (),
            contexts.component_month_path(component_id, k),
            count,
        )
        for k, count in months
    )


def _component_renderer(
    component_id: int,
    recent: Mapping[str, list[IncidentRow]],
    archive: list[tuple[str, int]],
    since: str,
) -> Callable[[RenderState], dict[str, str | bytes]]:
    def render(s: RenderState) -> dict[str, str | bytes]:
        path = f"components/{component_id}.html"
        snap = next(c for c in s.snapshot.components if c.id == component_id)
        group = next((g.name for g in s.snapshot.groups if g.id == snap.group_id), "")
        component = contexts._component(snap)
        component = contexts.ComponentContext(
            **{**component.__dict__, "uptime": s.uptimes.get(component_id)}
        )
        history = tuple(
            contexts.month_context(
                k,
                map(_item, rows),
                contexts.component_month_path(component_id, k),
                HISTORY_MONTH_ITEMS,
            )
            for k, rows in recent.items()
        )
        return {
            path: s.page(
                path,
                "component.html",
                feeds=_component_feeds(component_id, snap.name),
                component=component,
                group_name=group,
                history=history,
                archive=_component_months(component_id, archive),
                since=contexts.month_label(since),
            )
        }

    return render


def _component_month_renderer(
    component_id: int,
    key: str,
    newer: tuple[str, int] | None,
    older: tuple[str, int] | None,
    rows: list[IncidentRow],
) -> Callable[[RenderState], dict[str, str | bytes]]:
    def render(s: RenderState) -> dict[str, str | bytes]:
        path = contexts.component_month_path(component_id, key)
        snap = next(c for c in s.snapshot.components if c.id == component_id)
        link = functools.partial(_component_months, component_id)
        return {
            path: s.page(
                path,
                "component_month.html",
                feeds=_component_feeds(component_id, snap.name),
                component=contexts.component_link(snap),
                month=contexts.month_context(key, map(_item, rows), path),
                newer=link([newer])[0] if newer else None,
                older=link([older])[0] if older else None,
            )
        }

    return render


def _component_feed_renderer(
    component_id: int, candidates: list[int]
) -> Callable[[RenderState], dict[str, str | bytes]]:
    def render(s: RenderState) -> dict[str, str | bytes]:
        snap = next(c for c in s.snapshot.components if c.id == component_id)
        spec = feeds.FeedSpec(
            title=f"{s.site.page_name}: {snap.name}",
            stem=f"components/{component_id}",
            alternate=f"components/{component_id}.html",
            subtitle=f"Incident updates affecting {snap.name}",
        )
        entries = feeds.newest_updates(s.loaded[i] for i in candidates)
        fallback = snap.created_at or datetime(2000, 1, 1, tzinfo=UTC)
        return dict(
            feeds.render_feeds(
                spec,
                entries,
                s.settings,
                fallback,
                _feed_entry_renderer(s),
                _feed_prefix(s),
            )
        )

    return render


_ITEMS: dict[int, tuple[IncidentRow, contexts.IncidentItem]] = {}


def _item(row: IncidentRow) -> contexts.IncidentItem:
    """`contexts.incident_item`, kept per row object (rows are frozen and reused)."""
    hit = _ITEMS.get(id(row))
    if hit is not None and hit[0] is row:
        return hit[1]
    item = contexts.incident_item(row)
    if len(_ITEMS) > 4 * len(_KEYS) + 1000:  # rows of older reads: let them go
        _ITEMS.clear()
    _ITEMS[id(row)] = (row, item)
    return item


def _incident_renderer(
    incident_id: int,
) -> Callable[[RenderState], dict[str, str | bytes]]:
    def render(s: RenderState) -> dict[str, str | bytes]:
        path = f"incidents/{incident_id}.html"
        grace = timedelta(minutes=float(s.settings.get("CHECKPOINT_GRACE") or 0))
        incident = contexts.incident_context(s.loaded[incident_id], grace)
        return {path: s.page(path, "incident.html", incident=incident)}

    return render
