"""Benchmark the public site build: `python benchmarks/build.py --incidents N`.

Generates N incidents over 3 years, 3-6 updates each, across 12 components, in a
fresh database through the same code the app uses (`statuspage.incidents.declare`
and `add_update`, with their review), then measures, each in a fresh process:

- a full build (`build(..., full=True)`): wall time, peak memory (ru_maxrss), and
  where the time goes (query, plan, render, write, swap);
- publishing one update into that history the way the app does: the database write
  (review, insert, commit) and the incremental build until the new tree is live;
  the first publish in a fresh process (cold, then warm: after one build, as the
  app's site refresh runs when it starts), then `--runs` more (median and max).

Prints one JSON object. `--db` reuses a database made by an earlier run; `--into URL`
generates into another empty database, such as PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace this script's folder (its neighbour email.py would shadow the stdlib).
sys.path[0] = str(ROOT)

import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

from statuspage import db  # noqa: E402
from statuspage import incidents as service  # noqa: E402
from statuspage.components import sync_components  # noqa: E402
from statuspage.config import DEFAULT_MAX_INTERVALS  # noqa: E402
from statuspage.models import Component, Incident  # noqa: E402
from statuspage.rules.elements import Draft  # noqa: E402

COMPONENTS = [
    {"name": name, "group": group}
    for group, names in {
        "Customer-facing": ["Website", "Checkout", "Dashboard", "Search"],
        "Developers": ["API", "Webhooks", "SDK downloads", "Sandbox"],
        "Infrastructure": [
            "Database",
            "Email delivery",
            "File storage",
            "Image delivery",
        ],
    }.items()
    for name in names
]
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
IMPACTS = [
    "Some card payments fail at checkout.",
    "Pages load slowly for customers in Europe.",
    "API requests return errors for about 5% of calls.",
    "Webhook deliveries are delayed by up to 20 minutes.",
    "Sign-in fails for accounts using single sign-on.",
]
ACTIONS = [
    "We are rolling back the latest deploy.",
    "We are adding capacity to the affected cluster.",
    "We are failing over to the standby database.",
    "We are working with our provider to restore service.",
]
USER_ACTIONS = [
    "Retry in a few minutes.",
    "No action is needed.",
    "Use the mobile app until this is fixed.",
    "Queue requests and retry with backoff.",
]
BODIES = [
    "",
    "",
    "",
    "We will publish a full review once the incident is resolved.",
    "The affected requests were **not** charged twice.\n\n- EU region\n- US region",
]
STEPS = ["investigating", "identified", "monitoring", "resolved"]
BAD = ["degraded_performance", "partial_outage", "major_outage"]
SETTINGS = {
    "PAGE_NAME": "Benchmark Status",
    "PUBLIC_URL": "https://status.example.com",
    "TIME_ZONE": "UTC",
    "THEME": "default",
}


def generate(url: str, n: int, seed: int) -> float:
    """Fill a fresh database with n incidents; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    db.upgrade(url)
    policy = service.Policy(max_intervals=DEFAULT_MAX_INTERVALS)
    start = END - timedelta(days=3 * 365)
    with db.session_scope(url) as session:
        sync_components(session, COMPONENTS)
        # The components existed before the history began (uptime has data).
        for component in session.exec(select(Component)).all():
            component.created_at = component.updated_at = start - timedelta(days=1)
            session.add(component)
    names = [c["name"] for c in COMPONENTS]
    span = (END - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    batch = 200
    for offset in range(0, n, batch):
        with db.session_scope(url) as session:
            for declared in times[offset : offset + batch]:
                _incident(session, rng, declared, names, policy)
    return time.perf_counter() - started


def _draft(rng: random.Random, status: str, at: datetime) -> Draft:
    final = status == "resolved"
    return Draft(
        status=status,
        current_impact="Service is back to normal." if final else rng.choice(IMPACTS),
        current_action="" if final else rng.choice(ACTIONS),
        user_action=rng.choice(USER_ACTIONS),
        next_update_at=None if final else at + timedelta(minutes=rng.choice([15, 30])),
        body=rng.choice(BODIES),
    )


def _incident(session, rng, declared, names, policy) -> None:  # type: ignore[no-untyped-def]
    count = rng.randint(3, 6)
    # 3 updates: investigating, identified, resolved; more add monitoring and
    # repeated identified updates.
    steps = ["investigating"] + ["identified"] * (count - 3) + ["monitoring"]
    steps = steps[: count - 1] + ["resolved"]
    hit = rng.sample(names, rng.choice([1, 1, 2]))
    at = declared
    incident, _ = service.declare(
        session,
        title=f"{rng.choice(['Elevated errors:', 'Degraded:', 'Slow responses:'])} "
        f"{' and '.join(hit)}",
        severity=rng.choice(["SEV-1", "SEV-2", "SEV-3", "SEV-3", "SEV-4"]),
        draft=_draft(rng, steps[0], at),
        components={name: rng.choice(BAD) for name in hit},
        author=None,
        now=at,
        policy=policy,
    )
    for status in steps[1:]:
        at += timedelta(minutes=rng.randint(5, 14))
        service.add_update(
            session,
            incident,
            draft=_draft(rng, status, at),
            components=None,
            author=None,
            now=at,
            policy=policy,
        )


class TreeMemory:
    """Samples the memory of this process and its children (the forked render
    workers) every 100 ms: the peak of their summed PSS (shared pages divided
    among the processes sharing them) and of their summed RSS (shared pages
    counted in each: an upper bound)."""

    def __init__(self) -> None:
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            pss = rss = 0
            for pid in [os.getpid(), *_children(os.getpid())]:
                try:
                    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                except OSError:
                    continue
                for line in text.splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def measure_full(url: str, out: str) -> dict:
    """One full build in this process, with forked render workers as the CLI."""
    from statuspage.render import build

    with TreeMemory() as memory, db.session_scope(url) as session:
        result = build(
            session,
            SETTINGS | {"SITE_DIR": out},
            now=END + timedelta(hours=1),
            full=True,
            workers=os.cpu_count() or 1,  # as `statuspage build` does
        )
    return {
        "seconds": round(result.seconds, 3),
        "seconds_until_live": round(result.live_after, 3),
        "files": result.files,
        "workers": os.cpu_count() or 1,
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_pss_mb_all_processes": round(memory.peak_pss / 1024),
        "peak_rss_mb_all_processes": round(memory.peak_rss / 1024),
    }


def measure_publish(url: str, out: str, warm: bool = False, runs: int = 10) -> dict:
    """Publish updates on the newest incident, each followed by an incremental build,
    in one process, as the app does.

    The first pays for compiling the templates and reading every incident once,
    unless `warm`: then one incremental build runs first, as the app's site
    refresh does when it starts. The others show the steady state.
    """

    from statuspage.render import build, compile_templates

    policy = service.Policy(max_intervals=DEFAULT_MAX_INTERVALS)
    results = []
    base = END + timedelta(hours=2 + (3 if warm else 0))
    if warm:  # what the app's site refresh does when it starts
        compile_templates(SETTINGS)
        with db.session_scope(url) as session:
            build(session, SETTINGS | {"SITE_DIR": out}, now=base)
    for n in range(runs + 1):
        at = base + timedelta(minutes=5 * n)
        started = time.perf_counter()
        with db.session_scope(url) as session:
            # By id, as the app's routes do: the newest incident's id, then the row
            # (`.first()` on an unlimited select would load every incident first).
            newest = session.exec(select(sa.func.max(Incident.id))).one()
            incident = session.get(Incident, newest)
            assert incident is not None
            service.add_update(
                session,
                incident,
                draft=Draft(
                    status="monitoring",
                    current_impact="Payments succeed again; we watch error rates.",
                    current_action="We are monitoring the fix.",
                    user_action="Retry any failed payment.",
                    next_update_at=at + timedelta(minutes=30),
                ),
                components={"Checkout": ["degraded_performance", "operational"][n % 2]},
                author=None,
                now=at,
                policy=policy,
            )
        written = time.perf_counter()
        with db.session_scope(url) as session:
            result = build(session, SETTINGS | {"SITE_DIR": out}, now=at)
        done = time.perf_counter()
        results.append(
            {
                # Database write to new files live (the target); then cleanup.
                "seconds_until_live": round(written - started + result.live_after, 4),
                "seconds_with_cleanup": round(done - started, 4),
                "db_write_seconds": round(written - started, 4),
                "build_seconds_until_live": round(result.live_after, 4),
                "incremental": result.incremental,
                "reused_by": result.reused_by,
                "rendered": result.rendered,
                "reused": result.reused,
                "timings": {k: round(v, 4) for k, v in result.timings.items()},
            }
        )
    steady = sorted(r["seconds_until_live"] for r in results[1:])
    return {
        # Database write to files live, for each publish after the first.
        "seconds_until_live": {
            "runs": len(steady),
            "min": steady[0],
            "median": steady[len(steady) // 2],
            "max": steady[-1],
        },
        "median_run": sorted(results[1:], key=lambda r: r["seconds_until_live"])[
            len(steady) // 2
        ],
        # The first publish in this process (cold, or after the warm-up build).
        "first_in_this_process": results[0],
    }


def _child(mode: str, url: str, out: str, runs: int = 10) -> dict:
    done = subprocess.run(
        [
            *(sys.executable, __file__, "--child", mode, "--db", url),
            *("--out", out, "--runs", str(runs)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    """Parse options, generate, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="Reuse this database URL (skip generating).")
    parser.add_argument(
        "--into",
        help="Generate into this empty database (e.g. PostgreSQL) instead of a "
        "temporary SQLite file.",
    )
    parser.add_argument("--out", help="Site folder (default: a temporary one).")
    parser.add_argument(
        "--runs", type=int, default=10, help="Steady publishes to time (default 10)."
    )
    parser.add_argument(
        "--child", choices=["full", "publish", "publish-warm"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child == "full":
        print(json.dumps(measure_full(args.db, args.out)))
        return
    if args.child:
        warm = args.child == "publish-warm"
        print(json.dumps(measure_publish(args.db, args.out, warm, args.runs)))
        return
    work = Path(tempfile.mkdtemp(prefix="statuspage-bench-"))
    url = args.db or args.into or f"sqlite:///{work / 'bench.db'}"
    out = args.out or str(work / "site")
    report: dict = {
        "incidents": args.incidents,
        "machine": f"{os.cpu_count()} cpu, {os.uname().sysname} {os.uname().release}",
        "python": sys.version.split()[0],
        "database": url.split(":", 1)[0],
    }
    if args.db:
        db.upgrade(url)  # a database made by an older version
    else:
        report["generate_seconds"] = round(generate(url, args.incidents, args.seed), 1)
    report["full_build"] = _child("full", url, out)
    report["full_build_again"] = _child("full", url, out)
    # In a fresh process: cold (a CLI, or the app before its start-up refresh),
    # then warm (the app after it).
    report["publish_one_update"] = _child("publish", url, out, args.runs)
    report["publish_one_update_after_app_start"] = _child(
        "publish-warm", url, out, args.runs
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
