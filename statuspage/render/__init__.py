"""The static site pipeline, in Pelican's stages: snapshot -> contexts -> writer.

No Flask here: the app, the CLI and the tests call `build` and
`render_update_preview` with a session or plain values and a settings mapping.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import contexts, site
from .lock import LockTimeout, build_lock
from .snapshot import read_base, read_snapshot, read_updates, snapshot_of
from .theme import ThemeError, make_environment, static_files, theme_for
from .writer import (
    Prefill,
    SiteWriter,
    WriterError,
    builds_dir,
    clean_builds,
    live_build,
    manifest_path,
    publish,
    recycle,
    staging,
    write_manifest,
)

__all__ = [
    "BuildResult",
    "LockTimeout",
    "ThemeError",
    "WriterError",
    "build",
    "compile_templates",
    "read_snapshot",
    "render_update_preview",
]

Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    """What a build did."""

    out_dir: Path  # the folder now served (the live site dir)
    files: int  # files written
    seconds: float
    rendered: int = 0  # files rendered this time
    reused: int = 0  # unchanged files linked from the previous build
    incremental: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # query, render, ...
    live_after: float = 0.0  # seconds until the new tree was live (before cleanup)
    # How the unchanged files got into the new build: "recycled" (the build before
    # the live one, brought up to date), "copied" (`cp -al` of the live one),
    # "linked" (one by one), or "" (nothing reused: a full or first build).
    reused_by: str = ""


def _previous(out: Path, global_key: str) -> tuple[Path | None, dict[str, str]]:
    """The live build and its fingerprints, if it was made with the same global key."""
    live = live_build(out)
    manifest = None if live is None else _known(live)
    if manifest is None or manifest.get("global") != global_key:
        return None, {}
    return live, manifest.get("pages", {})


@dataclass
class _Built:
    """What this process knows of one build (it made it, or read its manifest)."""

    manifest: dict[str, Any]  # "global" key and page fingerprints
    files: frozenset[str] | None = None  # every file it has
    replaced: Path | None = None  # the build it replaced...
    changed: frozenset[str] | None = None  # ...and the paths that differ


def _known(live: Path) -> dict[str, Any] | None:
    """The manifest of the build `live`: from memory if this process wrote it, else
    from disk (then what it says of the build's files is remembered too)."""
    built = _BUILT.get(str(live))
    if built is not None:
        return built.manifest
    try:
        manifest = json.loads(manifest_path(live).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    files, replaced, changed = (manifest.pop(k, None) for k in MANIFEST_EXTRAS)
    built = _BUILT[str(live)] = _Built(manifest)
    if isinstance(files, list):
        built.files = frozenset(files)
        if isinstance(replaced, str) and isinstance(changed, list):
            built.replaced, built.changed = live.parent / replaced, frozenset(changed)
    return manifest


def build(
    session: Session,
    settings: Mapping[str, Any],
    out_dir: Path | None = None,
    now: datetime | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
    lock: bool = True,
    lock_wait: float = 120.0,
    workers: int = 1,
) -> BuildResult:
    """Render the public site into out_dir (default: settings["SITE_DIR"]).

    Incremental unless `full`: files whose inputs did not change since the live
    build are linked from it, the rest rendered. Either way the new tree goes live
    in one atomic swap, under the database build lock. `workers` > 1 renders large
    builds in that many forked processes (for the CLI; not inside a threaded app).
    """
    # abspath, not resolve(): out_dir is normally a symlink and must stay one.
    out = Path(
        os.path.abspath(out_dir if out_dir is not None else settings["SITE_DIR"])
    )
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    paused = PAUSE_GC and gc.isenabled()
    if paused:
        gc.disable()
    try:
        if not lock:
            return _build(session, settings, out, now, full, progress, workers)
        with build_lock(session, wait=lock_wait):
            return _build(session, settings, out, now, full, progress, workers)
    finally:
        if paused:
            gc.enable()


def _build(
    session: Session,
    settings: Mapping[str, Any],
    out: Path,
    now: datetime | None,
    full: bool,
    progress: Progress | None,
    workers: int = 1,
) -> BuildResult:
    started = time.perf_counter()
    timings = dict.fromkeys(("query", "plan", "render", "write", "swap"), 0.0)
    # The folder to build in, holding hard links to every file of the live build:
    # the build before it, brought up to date (a few dozen links), or else a copy
    # made meanwhile in another process (`cp -al`, ten thousand links).
    recycled = None if full or not RECYCLE else _recycle(out)
    prefill = None
    if not (full or recycled or not PREFILL):
        prefill = Prefill(out, [k for k, b in _BUILT.items() if b.files is not None])
    try:
        theme = theme_for(settings)
        env = make_environment(theme)
        # The uptime bars need status changes of their window only (and a margin).
        since = None if now is None else now - timedelta(days=site.UPTIME_DAYS + 2)
        base = read_base(session, changes_since=since)
        timings["query"] += time.perf_counter() - started
        mark = time.perf_counter()
        moment = (now or _newest(base) or datetime.now(UTC)).astimezone(UTC)
        jobs, shared = site.plan(base, settings, moment)
        key = site.global_key(base, settings, theme)
        previous, old = (None, {}) if full else _previous(out, key)
        todo = [
            j
            for j in jobs
            if previous is None or j.key is None or old.get(j.paths[0]) != j.key
        ]
        timings["plan"] += time.perf_counter() - mark
        if len(todo) > PAUSE_GC_MAX_JOBS:
            gc.enable()  # a long build: its garbage must not pile up meanwhile
        mark = time.perf_counter()
        parallel: list[site.Job] = []
        if workers > 1 and len(todo) >= PARALLEL_MIN_JOBS and _can_fork():
            # The many keyed pages (incidents, months, components) go to forked
            # workers; the rest stay here.
            parallel = [j for j in todo if j.key is not None]
        # Workers read the updates of their own pages (at the same time, and the
        # parent never holds all of them) when they can reach the database.
        worker_url = _reachable_url(session) if parallel else None
        if worker_url is not None:
            shared_ids = {i for j in todo if j.key is None for i in j.needs}
            loaded = read_updates(session, base, shared_ids)
        elif previous is None:
            loaded = read_updates(session, base)
        else:
            loaded = read_updates(session, base, {i for j in todo for i in j.needs})
        timings["query"] += time.perf_counter() - mark
        shared["global_key"] = key
        state = site.state_for(env, base, loaded, settings, now or moment, shared)
        mark = time.perf_counter()
        files = _BUILT[str(previous)].files if previous is not None else None
        if recycled is not None:
            if previous is None or files is None or previous != recycled[0]:
                shutil.rmtree(recycled[1], ignore_errors=True)  # not what we build on
                recycled = None
            prefilled = recycled[1] if recycled is not None else None
        else:
            prefilled = prefill.take(previous, files) if prefill is not None else None
        timings["write"] += time.perf_counter() - mark
    except BaseException:
        if prefill is not None:
            prefill.discard()
        if recycled is not None:
            shutil.rmtree(recycled[1], ignore_errors=True)
        raise
    manifest = {
        "global": key,
        "pages": {j.paths[0]: j.key for j in jobs if j.key is not None},
    }
    rendering = {id(j) for j in todo} - {id(j) for j in parallel}
    # Everything that can fail (templates, paths, disk) happens inside the staging
    # folder; the live site changes only in publish(), in one step.
    with staging(out, prefilled) as stage:
        writer = SiteWriter(
            stage, (files or frozenset()) if prefilled is not None else frozenset()
        )
        done, reused = 0, 0
        unchanged: list[str] = []

        def run_here() -> None:
            # The jobs of this process (while forked workers render theirs).
            nonlocal done
            for job in jobs:
                if id(job) in rendering:
                    _run(job, state, writer, timings)
                elif (
                    job.key is not None
                    and previous is not None
                    and old.get(job.paths[0]) == job.key
                ):
                    unchanged.extend(job.paths)
                else:
                    continue  # rendered by a worker
                done += 1
                if progress is not None and (done % 200 == 0 or done == len(jobs)):
                    progress(done, len(jobs))

        if parallel:
            for job in parallel:
                for path in job.paths:
                    writer.claim(path)  # refuses duplicates before any work

            def workers_done(count: int) -> None:
                if progress is not None:
                    progress(done + count, len(jobs))

            for query_s, render_s, write_s in _render_forked(
                parallel,
                state,
                stage,
                workers,
                writer.prefilled,
                run_here,
                (worker_url, base),
                workers_done,
            ):
                timings["query"] += query_s
                timings["render"] += render_s
                timings["write"] += write_s
            done += len(parallel)
            if progress is not None:
                progress(done, len(jobs))
        else:
            run_here()
        if unchanged:
            assert previous is not None
            mark = time.perf_counter()
            writer.link_many(previous, unchanged)
            reused = len(unchanged)
            timings["write"] += time.perf_counter() - mark
        mark = time.perf_counter()
        for relative, source in static_files(theme):
            writer.copy(source, f"static/{relative}")
        # Files of the previous build this one no longer has.
        dropped = writer.drop_others()
        timings["write"] += time.perf_counter() - mark
        mark = time.perf_counter()
        replaced = live_build(out)
        _forget_builds(out)
        live = publish(out, stage, None, clean=False)
        built = _BUILT[str(live)] = _Built(manifest, frozenset(writer.written))
        if prefilled is not None and replaced is not None and replaced == previous:
            # What differs between the two builds: the next build can bring the
            # replaced one up to date with these alone (`writer.recycle`).
            built.replaced, built.changed = replaced, frozenset(writer.fresh | dropped)
        timings["swap"] += time.perf_counter() - mark
    if reused == 0 and prefilled is None:
        reused_by = ""
    elif recycled is not None:
        reused_by = "recycled"
    else:
        reused_by = "copied" if prefilled is not None else "linked"
    live_after = time.perf_counter() - started
    mark = time.perf_counter()
    # The fingerprints and the files, for the next build, whichever process makes
    # it (this one has them in memory; a build without them renders everything,
    # so they can follow the swap).
    on_disk = {
        **manifest,
        "files": sorted(writer.written),
        "replaced": built.replaced.name if built.replaced else None,
        "changed": sorted(built.changed) if built.changed is not None else None,
    }
    write_manifest(live, json.dumps(on_disk, separators=(",", ":")))
    clean_builds(out, replaced.name if replaced else None)
    timings["clean"] = time.perf_counter() - mark
    return BuildResult(
        out_dir=out,
        files=writer.files,
        seconds=time.perf_counter() - started,
        rendered=writer.files - reused,
        reused=reused,
        incremental=previous is not None,
        timings=timings,
        live_after=live_after,
        reused_by=reused_by,
    )


PARALLEL_MIN_JOBS = 1000
PROGRESS_EVERY = 50  # jobs a forked worker renders between progress reports
PREFILL = True  # see writer.Prefill
RECYCLE = True  # see writer.recycle
# The cyclic garbage collector waits while a build runs: a full collection that
# falls inside a publish can cost as much as the publish itself.
PAUSE_GC = True
PAUSE_GC_MAX_JOBS = 500  # ...unless it renders more pages than this
_FORKED: dict[str, Any] = {}
# The builds this process knows, by folder: the last one it published, or live
# ones whose manifest it read.
_BUILT: dict[str, _Built] = {}
# Written to the manifest file too, for other processes: the build's files, the
# build it replaced and the paths that differ between the two.
MANIFEST_EXTRAS = ("files", "replaced", "changed")


def _forget_builds(out: Path) -> None:
    """Forget what this process knows of the builds behind `out` (not of others:
    one process may build several sites)."""
    prefix = f"{builds_dir(out)}/"
    for name in [k for k in _BUILT if k.startswith(prefix)]:
        del _BUILT[name]


def _recycle(out: Path) -> tuple[Path, Path] | None:
    """(live build, staging folder holding a copy of it) made from the build the
    live one replaced, if the live one's manifest says what differs between them."""
    live = live_build(out)
    if live is None or _known(live) is None:
        return None
    built = _BUILT[str(live)]
    if built.files is None or built.replaced is None or built.changed is None:
        return None
    stage = recycle(live, built.replaced, built.files, built.changed)
    return None if stage is None else (live, stage)


def _can_fork() -> bool:
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def _run(
    job: site.Job,
    state: site.RenderState,
    writer: SiteWriter,
    timings: dict[str, float],
    claimed: bool = False,
) -> None:
    mark = time.perf_counter()
    files = job.render(state)
    timings["render"] += time.perf_counter() - mark
    mark = time.perf_counter()
    for path in job.paths:
        data = files[path]
        if isinstance(data, bytes):
            writer.write_bytes(path, data, claimed)
        else:
            writer.write_text(path, data, claimed)
    timings["write"] += time.perf_counter() - mark


def _reachable_url(session: Session) -> str | None:
    """The session's database URL, if another process can open it (not an
    in-memory SQLite database)."""
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or "mode=memory" in str(url)
    ):
        return None
    return url.render_as_string(hide_password=False)


def _render_share(index: int) -> tuple[float, float, float]:
    """Render every `workers`-th job from `index` (reading their updates first,
    if the parent did not): share 0 in the parent, the others in forked workers."""
    jobs, state, stage, workers, prefilled, (url, base), counter, report = _FORKED[
        "args"
    ]
    mine = jobs[index::workers]
    timings = {"query": 0.0, "render": 0.0, "write": 0.0}
    if url is not None:
        mark = time.perf_counter()
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with Session(engine) as session:
                loaded = read_updates(session, base, {i for j in mine for i in j.needs})
        finally:
            engine.dispose()
        state = dataclasses.replace(
            state, loaded=loaded, snapshot=snapshot_of(base, loaded)
        )
        timings["query"] += time.perf_counter() - mark
    writer = SiteWriter(stage, prefilled)
    reported = 0
    for n, job in enumerate(mine, 1):
        _run(job, state, writer, timings, claimed=True)
        if n - reported >= PROGRESS_EVERY or n == len(mine):
            with counter.get_lock():  # for the parent's progress bar
                counter.value += n - reported
            reported = n
            if index == 0 and report is not None:  # this is the parent
                report(counter.value)
    return timings["query"], timings["render"], timings["write"]


def _render_forked(
    jobs: list[site.Job],
    state: site.RenderState,
    stage: Path,
    workers: int,
    prefilled: frozenset[str] = frozenset(),
    meanwhile: Callable[[], None] | None = None,
    reads: tuple[str | None, Any] = (None, None),
    report: Callable[[int], None] | None = None,
) -> list[tuple[float, float, float]]:
    """Render jobs in `workers` processes: this one and `workers - 1` forked ones
    (they inherit the data: nothing is pickled but the timings coming back). This
    process first does `meanwhile` (its own jobs), then its share. Times are
    summed over the processes, so "render" and "write" are CPU seconds here, not
    wall time. With `reads` = (database URL, base read) each process reads the
    updates of its share itself; `report` is told how many jobs the shares have
    done, a few times a second."""
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("i", 0)
    _FORKED["args"] = (jobs, state, stage, workers, prefilled, reads, counter, report)
    # The workers' garbage collector leaves the inherited objects alone: walking
    # them would copy every page of the parent's heap into each worker.
    gc.freeze()
    try:
        with ctx.Pool(workers - 1) as pool:
            pending = pool.map_async(_render_share, range(1, workers))
            if meanwhile is not None:
                meanwhile()  # this process's own jobs, at the same time
            here = _render_share(0)
            while True:
                try:
                    return [here, *pending.get(timeout=0.25)]
                except multiprocessing.TimeoutError:
                    if report is not None:
                        report(counter.value)
    finally:
        gc.unfreeze()
        _FORKED.clear()


def _newest(base: Any) -> datetime | None:
    return contexts.last_changed(snapshot_of(base, {}))


def compile_templates(settings: Mapping[str, Any]) -> int:
    """Compile every template of the theme now (the app does this when it starts,
    so its first publish does not); return how many."""
    env = make_environment(theme_for(settings))
    names = [n for n in env.list_templates() if not n.startswith("!")]
    for name in names:
        env.get_template(name)
    return len(names)


def render_update_preview(
    settings: Mapping[str, Any],
    *,
    incident_title: str,
    severity: str,
    status: str,
    current_impact: str,
    current_action: str,
    user_action: str,
    next_update_at: datetime | None,
    body: str,
    published_at: datetime,
    component_changes: list[tuple[str, str, str]],
) -> str:
    """One public update as HTML, exactly as the site shows it (`_update.html`)."""
    update = contexts.update_context(
        incident_title=incident_title,
        severity=severity,
        status=status,
        current_impact=current_impact,
        current_action=current_action,
        user_action=user_action,
        next_update_at=next_update_at,
        body=body,
        published_at=published_at,
        changes=component_changes,
    )
    env = make_environment(theme_for(settings))
    return env.get_template("_update.html").render(update=update)
