"""Publishing: incremental builds equal full ones, atomic swaps, the lock, the hook."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from statuspage import db
from statuspage.maintenance import add_maintenance
from statuspage.models import Component, Incident, IncidentComponent, UpdateComponent
from statuspage.render import LockTimeout, build
from statuspage.render.lock import build_lock, release, try_acquire
from statuspage.render.writer import builds_dir, recycle

from .test_render import T0, add_update, populate, run_build, settings, tree

NOW = T0 + timedelta(hours=1)


def full_tree(url: str, tmp_path: Path, now, name: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return tree(
        run_build(url, tmp_path, out_dir=tmp_path / name, now=now, full=True).out_dir
    )


def inodes(site: Path) -> dict[str, int]:
    return {p: (site / p).stat().st_ino for p in tree(site)}


def publish_update(url: str, at, status: str = "monitoring") -> None:  # type: ignore[no-untyped-def]
    with db.session_scope(url) as s:
        live = s.get(Incident, 3)
        update = add_update(s, live, at, status, current_impact="Recovering.")
        checkout = s.exec(select(Component).where(Component.name == "Checkout")).one()
        s.add(
            UpdateComponent(
                update_id=update.id,
                component_id=checkout.id,
                old_status=checkout.status,
                new_status="degraded_performance",
            )
        )
        checkout.status = "degraded_performance"
        checkout.updated_at = at
        live.status = status
        live.updated_at = at
        s.add_all([checkout, live])


def test_incremental_publish_equals_a_full_build(url: str, tmp_path: Path) -> None:
    populate(url)
    site = tmp_path / "site"
    first = run_build(url, tmp_path, now=NOW)
    assert not first.incremental
    before = inodes(site)
    at = NOW + timedelta(minutes=5)
    publish_update(url, at)
    result = run_build(url, tmp_path, now=at)
    assert result.incremental
    assert tree(site) == full_tree(url, tmp_path, at, "full")
    after = inodes(site)
    rerendered = {p for p in after if after[p] != before.get(p)}
    # Only what the update changes: its incident, its month, Checkout's page and
    # feeds, and the pages that always change (front page, JSON, site feeds).
    assert "incidents/3.html" in rerendered
    assert "history/2026-11.html" in rerendered
    assert {"components/5.html", "components/5.atom", "components/5.rss"} <= rerendered
    for untouched in (
        "incidents/1.html",
        "incidents/2.html",
        "history/2026-10.html",
        "components/1.html",
        "components/1.atom",
        "components/4.html",
    ):
        assert untouched not in rerendered, untouched
    assert result.reused == len(after) - len(rerendered)


def test_incremental_equals_full_through_many_kinds_of_change(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    now = NOW
    run_build(url, tmp_path, now=now)

    def check(step: str, incremental: bool = True) -> None:
        result = run_build(url, tmp_path, now=now)
        # Names of components show on every page: a rename rebuilds everything.
        assert result.incremental == incremental, step
        assert tree(tmp_path / "site") == full_tree(url, tmp_path, now, step), step

    with db.session_scope(url) as s:  # a new incident in a new month
        new = Incident(
            title="Search down",
            severity="SEV-1",
            status="investigating",
            declared_at=T0 + timedelta(days=7),
            updated_at=T0 + timedelta(days=7),
        )
        s.add(new)
        s.flush()
        s.add(
            IncidentComponent(incident_id=new.id, component_id=4, status="major_outage")
        )
        # Checkout (5) now has incidents in November and December: two month pages
        # of its own that link to each other.
        s.add(
            IncidentComponent(incident_id=new.id, component_id=5, status="major_outage")
        )
        add_update(s, new, T0 + timedelta(days=7), "investigating", current_impact="x")
    now = T0 + timedelta(days=7, hours=1)
    check("new incident in December")
    site = tmp_path / "site"
    assert (site / "components/5/history/2026-12.html").is_file()
    assert (site / "components/5/history/2026-11.html").is_file()
    with db.session_scope(url) as s:  # maintenance
        add_maintenance(
            s,
            title="Upgrade",
            starts=now + timedelta(hours=1),
            ends=now + timedelta(hours=2),
            components=["Database"],
            now=now,
        )
    check("maintenance")
    now += timedelta(days=1)  # a day passes: the uptime bars move
    check("next day")
    with db.session_scope(url) as s:  # a component is renamed
        s.exec(select(Component).where(Component.name == "API")).one().name = "REST API"
    check("rename", incremental=False)
    now += timedelta(minutes=1)
    publish_update(url, now, "resolved")
    check("resolved")
    now += timedelta(days=70)  # February: November leaves the component pages
    check("months later")


@pytest.mark.both_backends
def test_each_publish_builds_in_the_build_before_and_equals_a_full_build(
    migrated_url: str, tmp_path: Path
) -> None:
    # A publish reads only the incidents whose change token moved, and brings the
    # build the live one replaced up to date (a few dozen links) instead of linking
    # every file anew; the site must not tell.
    url = migrated_url
    populate(url)
    site = tmp_path / "site"
    run_build(url, tmp_path, now=NOW)
    ways = []
    for n in range(5):
        at = NOW + timedelta(minutes=5 * (n + 1))
        publish_update(url, at, ["monitoring", "identified"][n % 2])
        result = run_build(url, tmp_path, now=at)
        ways.append(result.reused_by)
        assert result.incremental
        assert tree(site) == full_tree(url, tmp_path, at, f"full-{n}"), n
        builds = [p.name for p in builds_dir(site).iterdir() if p.is_dir()]
        assert len([b for b in builds if b.startswith("site-")]) == 2, builds
        assert not [b for b in builds if b.startswith("building-")], builds
    # The first publish has no build before the live one to start from.
    assert ways[0] != "recycled"
    assert ways[1:] == ["recycled"] * 4


def built_and_published_twice(url: str, tmp_path: Path) -> Path:
    """A site built, then two updates published on it; its folder."""
    populate(url)
    run_build(url, tmp_path, now=NOW)
    for n in range(2):
        at = NOW + timedelta(minutes=5 * (n + 1))
        publish_update(url, at)
        run_build(url, tmp_path, now=at)
    return tmp_path / "site"


def test_another_process_builds_in_the_build_before_too(
    url: str, tmp_path: Path
) -> None:
    # The live build's manifest says which files it has and which differ from the
    # build it replaced: a process that did not make it (the CLI, another app
    # worker) reuses the build before as well.
    import statuspage.render as render
    from statuspage.render import snapshot

    site = built_and_published_twice(url, tmp_path)
    render._BUILT.clear()  # what a new process knows
    snapshot.forget()
    at = NOW + timedelta(minutes=20)
    publish_update(url, at, "identified")
    result = run_build(url, tmp_path, now=at)
    assert result.reused_by == "recycled"
    assert tree(site) == full_tree(url, tmp_path, at, "full")


def test_a_publish_after_the_build_before_was_removed_still_equals_full(
    url: str, tmp_path: Path
) -> None:
    site = built_and_published_twice(url, tmp_path)
    live = os.path.realpath(site)
    for old in builds_dir(site).iterdir():  # another process cleaned up
        if old.is_dir() and old.name.startswith("site-") and str(old) != live:
            shutil.rmtree(old)
    at = NOW + timedelta(minutes=20)
    publish_update(url, at, "identified")
    result = run_build(url, tmp_path, now=at)
    assert result.incremental
    assert result.reused_by in ("copied", "linked")
    assert tree(site) == full_tree(url, tmp_path, at, "full")


def test_recycling_a_build_relinks_changed_files_and_drops_removed_ones(
    tmp_path: Path,
) -> None:
    builds = tmp_path / ".site.builds"
    before, live = builds / "site-1", builds / "site-2"
    files_before = {"index.html": "old front", "a/b.html": "same", "gone/x.html": "x"}
    files_live = {"index.html": "new front", "a/b.html": "same", "new/y.html": "y"}
    for root, files in ((before, files_before), (live, files_live)):
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
    stage = recycle(
        live, before, set(files_live), {"index.html", "gone/x.html", "new/y.html"}
    )
    assert stage is not None
    assert tree(stage) == tree(live)
    assert not (stage / "gone").exists()  # no empty folder a full build lacks
    assert not before.exists()
    assert (stage / "index.html").stat().st_ino == (live / "index.html").stat().st_ino
    # The build before is gone now (another process cleaned it): nothing to reuse.
    assert recycle(live, before, set(files_live), {"index.html"}) is None


def test_full_flag_renders_everything(url: str, tmp_path: Path) -> None:
    populate(url)
    run_build(url, tmp_path, now=NOW)
    result = run_build(url, tmp_path, now=NOW, full=True)
    assert not result.incremental and result.reused == 0
    assert result.rendered == result.files


def test_changed_theme_or_settings_rebuild_everything(url: str, tmp_path: Path) -> None:
    populate(url)
    run_build(url, tmp_path, now=NOW)
    config = settings(tmp_path, PAGE_NAME="Renamed Status")
    result = run_build(url, tmp_path, now=NOW, config=config)
    assert result.reused == 0
    assert "Renamed Status" in (tmp_path / "site/incidents/1.html").read_text()


BUILD_SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from statuspage import db
    from statuspage.render import build

    def stop_before_the_swap(done, total):
        if done == total:
            print("written", flush=True)
            sys.stdin.readline()  # wait here until killed

    url, site = sys.argv[1], sys.argv[2]
    with db.session_scope(url) as session:
        build(session, {"SITE_DIR": site, "PAGE_NAME": "Killed"},
              now=datetime.fromisoformat(sys.argv[3]), full=True,
              progress=stop_before_the_swap)
    """
)


def test_a_build_killed_half_way_leaves_the_previous_site(
    url: str, tmp_path: Path
) -> None:
    populate(url)
    site = tmp_path / "site"
    run_build(url, tmp_path, now=NOW)
    before = tree(site)
    live = os.readlink(site)
    child = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, url, str(site), NOW.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "written\n"  # every file is written...
        staged = [
            p for p in builds_dir(site).iterdir() if p.name.startswith("building")
        ]
        assert len(staged) == 1 and (staged[0] / "index.html").is_file()
    finally:
        child.kill()  # ...and it dies before the swap
        child.wait()
    assert os.readlink(site) == live
    assert tree(site) == before
    assert "Killed" not in (site / "index.html").read_text()
    # The lock it held expires with its lease; a build that does not wait for it
    # says so rather than interleaving.
    with db.session_scope(url) as session, pytest.raises(LockTimeout):
        build(session, settings(tmp_path), now=NOW, lock_wait=0)
    with db.session_scope(url) as session:
        release(session.get_bind(), _holder(url))
    result = run_build(url, tmp_path, now=NOW)
    assert result.incremental
    assert tree(site) == before


def _holder(url: str) -> str:
    with db.get_engine(url).connect() as conn:
        return conn.execute(sa.text("SELECT holder FROM site_lock")).scalar_one()


@pytest.mark.both_backends
def test_the_build_lock_lets_one_process_build_at_a_time(migrated_url: str) -> None:
    engine = db.get_engine(migrated_url)
    assert try_acquire(engine, "app-1", lease=60)
    assert not try_acquire(engine, "app-2", lease=60)
    release(engine, "app-2")  # not the holder: nothing happens
    assert not try_acquire(engine, "app-2", lease=60)
    release(engine, "app-1")
    assert try_acquire(engine, "app-2", lease=60)
    release(engine, "app-2")
    # A crashed holder's lease runs out.
    assert try_acquire(engine, "crashed", lease=-1)
    assert try_acquire(engine, "app-3", lease=60)
    release(engine, "app-3")


@pytest.mark.both_backends
def test_a_build_waits_for_the_lock_and_never_interleaves(
    migrated_url: str, tmp_path: Path
) -> None:
    config = settings(tmp_path)
    with db.session_scope(migrated_url) as session:
        with build_lock(session):
            with db.session_scope(migrated_url) as other, pytest.raises(LockTimeout):
                build(other, config, now=NOW, lock_wait=0)
            assert not (tmp_path / "site").exists()
        result = build(session, config, now=NOW, lock_wait=0)
    assert (result.out_dir / "index.html").is_file()


# --- through the app: publish_site and PUBLISH_COMMAND ------------------------------

NEW = {
    "title": "Checkout errors",
    "severity": "SEV-2",
    "status": "investigating",
    "current_impact": "Some card payments fail.",
    "current_action": "We are investigating.",
    "user_action": "Retry in a few minutes.",
    "next_update_at": "2026-11-26T17:00:00Z",
    "components": {"Checkout": "partial_outage"},
}


def test_publish_command_gets_the_built_folder(
    app, client, token, tmp_path: Path
) -> None:
    copy = tmp_path / "synced"
    script = 'cp -R "$0" ' + shlex.quote(str(copy))
    app.config["PUBLISH_COMMAND"] = f"sh -c {shlex.quote(script)}"
    response = client.post(
        "/api/v1/incidents", json=NEW, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    assert response.json["publish_error"] is None
    incident = response.json["id"]
    assert "Checkout errors" in (copy / f"incidents/{incident}.html").read_text()
    assert tree(copy) == tree(Path(app.config["SITE_DIR"]))


def test_failing_publish_command_is_reported_and_the_build_kept(
    app, client, token
) -> None:
    app.config["PUBLISH_COMMAND"] = "sh -c 'echo bucket not found >&2; exit 3'"
    response = client.post(
        "/api/v1/incidents", json=NEW, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    error = response.json["publish_error"]
    assert "publish command failed" in error
    assert "exited with 3" in error and "bucket not found" in error
    site = Path(app.config["SITE_DIR"])
    assert "Checkout errors" in (site / "index.html").read_text()
    assert client.get("/").status_code == 200


def test_build_command_prints_a_summary_and_runs_the_hook(
    app, runner, tmp_path: Path
) -> None:
    out = tmp_path / "cli-site"
    result = runner.invoke(args=["build", "--out", str(out), "--full"])
    assert result.exit_code == 0, result.output
    assert "(full: " in result.output and str(out) in result.output
    again = runner.invoke(args=["build", "--out", str(out), "--json"])
    assert '"incremental": true' in again.output
    app.config["PUBLISH_COMMAND"] = "false"
    failed = runner.invoke(args=["build", "--out", str(out)])
    assert failed.exit_code == 1
    assert "publish command failed" in failed.output
    assert (out / "index.html").is_file()


@pytest.mark.both_backends
def test_forked_workers_build_the_same_tree(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker reads the updates of its own pages from the database.
    import statuspage.render as render

    url = migrated_url
    populate(url)
    monkeypatch.setattr(render, "PARALLEL_MIN_JOBS", 1)
    parallel = run_build(
        url, tmp_path, out_dir=tmp_path / "p", now=NOW, full=True, workers=2
    )
    assert tree(parallel.out_dir) == full_tree(url, tmp_path, NOW, "sequential")
    assert parallel.files == len(tree(parallel.out_dir))


def test_workers_read_the_database_only_when_they_can_reach_it(tmp_path: Path) -> None:
    from sqlmodel import Session

    from statuspage.render import _reachable_url

    with Session(sa.create_engine("sqlite://")) as memory:
        assert _reachable_url(memory) is None  # the parent reads for them
    file_url = f"sqlite:///{tmp_path / 'x.db'}"
    with Session(sa.create_engine(file_url)) as on_disk:
        assert _reachable_url(on_disk) == file_url
    secret = "postgresql+psycopg://app:s3cret@db.internal:5432/status"
    with Session(sa.create_engine(secret)) as remote:
        assert _reachable_url(remote) == secret  # the password is not masked


def test_a_plan_that_reuses_the_last_one_equals_a_fresh_plan(
    url: str, tmp_path: Path
) -> None:
    # The plan reuses jobs made from the very same incident rows; whatever happens
    # to the data, its jobs must be those a plan made from scratch would make.
    import random

    from statuspage.render import api, site, snapshot

    def jobs(now):  # type: ignore[no-untyped-def]
        since = now - timedelta(days=92)
        with db.session_scope(url) as s:
            base = snapshot.read_base(s, changes_since=since)
            # The status changes kept from earlier reads equal a read of them all.
            kept = snapshot._CHANGES
            assert base.changes == snapshot._status_changes(s, since, None)
            snapshot._CHANGES = kept
        planned, shared = site.plan(base, settings(tmp_path), now)
        listed = snapshot.snapshot_of(base, {})
        assert shared["recent_ids"] == api.recent_incident_ids(listed)
        assert shared["unresolved_ids"] == api.unresolved_ids(listed)
        return base, [(j.paths, j.key, j.needs) for j in planned]

    def fresh(base, now):  # type: ignore[no-untyped-def]
        site._MEMO.old.clear()
        site._KEPT.old.clear()
        site._UPTIMES.clear()
        site._KEYS.clear()
        planned, _ = site.plan(base, settings(tmp_path), now)
        return [(j.paths, j.key, j.needs) for j in planned]

    populate(url)
    rng = random.Random(7)
    now = NOW
    jobs(now)
    for step in range(40):
        now += timedelta(minutes=rng.choice([1, 30, 600, 3000]))
        with db.session_scope(url) as s:
            incidents = s.exec(select(Incident)).all()
            components = s.exec(select(Component)).all()
            kind = rng.choice(["update", "update", "new", "component", "resolve"])
            if kind == "new":
                new = Incident(
                    title=f"Incident {step}",
                    severity="SEV-2",
                    declared_at=now,
                    updated_at=now,
                )
                s.add(new)
                s.flush()
                s.add(
                    IncidentComponent(
                        incident_id=new.id,
                        component_id=rng.choice(components).id,
                        status="partial_outage",
                    )
                )
                add_update(s, new, now, "investigating", current_impact="Slow.")
            elif kind == "component":
                component = rng.choice(components)
                component.status = rng.choice(["operational", "major_outage"])
                component.updated_at = now
            else:
                incident = rng.choice(incidents)
                status = "resolved" if kind == "resolve" else "identified"
                update = add_update(s, incident, now, status, current_impact="Mm.")
                component = rng.choice(components)
                s.add(
                    UpdateComponent(
                        update_id=update.id,
                        component_id=component.id,
                        old_status=component.status,
                        new_status="degraded_performance",
                    )
                )
                incident.status = status
                incident.updated_at = now
        base, reused = jobs(now)
        assert reused == fresh(base, now), (step, kind)


def test_forked_workers_report_progress_while_they_render(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import statuspage.render as render

    populate(url)
    monkeypatch.setattr(render, "PARALLEL_MIN_JOBS", 1)
    monkeypatch.setattr(render, "PROGRESS_EVERY", 1)
    seen: list[tuple[int, int]] = []
    result = run_build(
        url,
        tmp_path,
        now=NOW,
        full=True,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    totals = {total for _done, total in seen}
    assert len(totals) == 1
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1] == totals.pop()
    assert result.files == len(tree(result.out_dir))


def test_build_shows_a_progress_bar_on_a_terminal(url: str, tmp_path: Path) -> None:
    # stderr is a pseudo-terminal, as in an operator's shell; stdout is not.
    import pty

    populate(url)
    parent, child = pty.openpty()
    env = {
        **os.environ,
        "STATUSPAGE_DATABASE_URL": url,
        "STATUSPAGE_SITE_DIR": str(tmp_path / "site"),
        "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "instance"),
        "STATUSPAGE_SECRET_KEY": "x",
        "STATUSPAGE_BACKGROUND_JOBS": "false",
    }
    command = Path(sys.executable).parent / "statuspage"
    done = subprocess.run(
        [str(command), "build", "--full"],
        env=env,
        stderr=child,
        stdout=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    os.close(child)
    screen = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # the other end is closed and drained
            break
        if not chunk:
            break
        screen += chunk
    os.close(parent)
    assert done.returncode == 0, screen
    assert done.stdout.startswith("Built ")
    text = screen.decode()
    assert "Building" in text and "100%" in text, text
