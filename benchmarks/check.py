"""Benchmark: the checkpoint check over 1,000 open and 100,000 closed incidents.

    .venv/bin/python benchmarks/check.py                      # SQLite in a temp dir
    .venv/bin/python benchmarks/check.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The database must be empty (a fresh SQLite file is made by default; for PostgreSQL
create the database first). Prints the data set's size, the build time and the
check's timings (min / median / max over --runs), and the query plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where benchmarks/email.py
# would shadow the standard library's email package: put the repo there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from statuspage import checker, db  # noqa: E402
from statuspage.config import DEFAULTS  # noqa: E402
from statuspage.models import Incident, IncidentRole, Update  # noqa: E402

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def _update(incident_id: int, status: str, at: datetime, promise: datetime | None):
    return {
        "incident_id": incident_id,
        "status": status,
        "current_impact": "Some users cannot check out.",
        "current_action": "",
        "user_action": "Retry in a few minutes.",
        "body": "",
        "cause_confirmed": False,
        "author_name": "bench",
        "published_at": at,
        "next_update_at": promise,
        "guid": f"urn:uuid:{uuid.uuid4()}",
    }


def populate(url: str, open_n: int, closed_n: int, batch: int = 20_000) -> None:
    """Bulk-insert the incidents: closed ones over the past years, then open ones."""
    engine = db.get_engine(url)
    incident_t = Incident.__table__  # type: ignore[attr-defined]
    update_t = Update.__table__  # type: ignore[attr-defined]
    role_t = IncidentRole.__table__  # type: ignore[attr-defined]
    total = closed_n + open_n
    next_id = 1
    with engine.begin() as conn:
        while next_id <= total:
            ids = range(next_id, min(total, next_id + batch - 1) + 1)
            incidents, updates, roles = [], [], []
            for i in ids:
                is_open = i > closed_n
                start = (
                    NOW - timedelta(minutes=5 + (i % 50))
                    if is_open
                    else NOW - timedelta(hours=1 + i)
                )
                incidents.append(
                    {
                        "id": i,
                        "title": f"Incident {i}",
                        "severity": ("SEV-1", "SEV-2", "SEV-3")[i % 3],
                        "status": "identified" if is_open else "resolved",
                        "declared_at": start,
                        "updated_at": start,
                        "resolved_at": None if is_open else start + timedelta(hours=1),
                    }
                )
                t1 = start + timedelta(minutes=1)
                updates.append(_update(i, "investigating", start, t1 + timedelta(0)))
                if is_open:
                    # Promise 0-59 min from declaration: some overdue, some due soon.
                    due = start + timedelta(minutes=(i * 7) % 60)
                    updates.append(_update(i, "identified", t1, due))
                    roles.append(
                        {
                            "incident_id": i,
                            "role": "comms_lead",
                            "user_id": None,
                            "name": "",
                            "email": f"lead{i}@example.com",
                            "assigned_at": start,
                        }
                    )
                else:
                    updates.append(
                        _update(i, "identified", t1, t1 + timedelta(minutes=30))
                    )
                    updates.append(
                        _update(i, "resolved", start + timedelta(minutes=40), None)
                    )
            conn.execute(incident_t.insert(), incidents)
            conn.execute(update_t.insert(), updates)
            if roles:
                conn.execute(role_t.insert(), roles)
            next_id = ids[-1] + 1
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("ANALYZE"))
            c.execute(sa.text("SELECT setval('incident_id_seq', :n)"), {"n": total})
    else:
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


def main() -> None:
    """Build the data set, time the check, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="empty database (default SQLite)")
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    tmp = None
    url = args.url
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.db"
    db.upgrade(url)
    started = time.perf_counter()
    populate(url, args.open, args.closed)
    built = time.perf_counter() - started
    settings = {**DEFAULTS, "DATABASE_URL": url}
    timings = []
    result = None
    for _ in range(args.runs):
        with Session(db.get_engine(url)) as session:
            t0 = time.perf_counter()
            result = checker.check(session, settings, NOW)
            timings.append((time.perf_counter() - t0) * 1000)
    assert result is not None
    with db.get_engine(url).connect() as conn:
        n_inc = conn.execute(sa.text("SELECT count(*) FROM incident")).scalar()
        n_upd = conn.execute(sa.text('SELECT count(*) FROM "update"')).scalar()
    backend = url.split(":", 1)[0]
    print(f"backend: {backend}")
    print(f"incidents: {n_inc} ({args.open} open), updates: {n_upd}")
    print(f"data set built in {built:.1f} s")
    print(
        f"check: {len(result.overdue)} overdue, {len(result.due_soon)} due soon; "
        f"{args.runs} runs: min {min(timings):.1f} ms, "
        f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms "
        "(the first run includes statement compilation)"
    )
    if backend == "sqlite":
        with db.get_engine(url).connect() as conn:
            plan = conn.execute(
                sa.text(
                    "EXPLAIN QUERY PLAN SELECT id FROM incident "
                    "WHERE status IN ('investigating','identified','monitoring')"
                )
            ).all()
        print("plan (open incidents):", "; ".join(str(row[-1]) for row in plan))
    db.dispose_engine(url)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
