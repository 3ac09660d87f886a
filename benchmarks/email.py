"""Fan-out of one update to N subscribers into an aiosmtpd sink on 127.0.0.1.

    .venv/bin/python benchmarks/email.py 10000 [100000] [--connections 4]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Prints, per N: queueing time (the INSERT ... SELECT inside the publishing
transaction), end-to-end messages/s (queue + render + SMTP, through the real
worker), the floor measured in the same run (plain smtplib sending one
pre-rendered message over the same number of connections), the ratio, and the
peak RSS of this process. The sink runs in its own process, so it does not
share this process's GIL.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name
# would hide the standard library's `email` package: put the repo root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import smtplib  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from statuspage import db  # noqa: E402
from statuspage import incidents as service  # noqa: E402
from statuspage.components import sync_components  # noqa: E402
from statuspage.config import DEFAULTS  # noqa: E402
from statuspage.notify import messages  # noqa: E402
from statuspage.notify.worker import Worker  # noqa: E402
from statuspage.rules.elements import Draft  # noqa: E402

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sink(port: int, count: mp.Value, ready: mp.Event, stop: mp.Event) -> None:  # type: ignore[valid-type]
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _floor(port: int, n: int, connections: int, data: bytes) -> float:
    """Seconds for plain smtplib to send `data` n times over `connections`."""
    per = [
        n // connections + (1 if i < n % connections else 0) for i in range(connections)
    ]

    def run(k: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as conn:
            for i in range(k):
                conn.sendmail("status@example.com", [f"u{i}@example.com"], data)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in per]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def _database(pg_admin: str | None) -> tuple[str, object]:
    if not pg_admin:
        folder = tempfile.mkdtemp(prefix="sp-bench-")
        return f"sqlite:///{folder}/bench.db", None
    name = f"statuspage_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return pg_admin.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def _drop(url: str, handle: object) -> None:
    db.dispose_engine(url)
    if handle:
        admin, name = handle  # type: ignore[misc]
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _subscribers(url: str, n: int) -> None:
    engine = db.get_engine(url)
    rows = [
        {
            "email": f"user{i}@example.com",
            "mode": "every_update",
            "token": uuid.uuid4().hex + uuid.uuid4().hex[:11],
            "created_at": NOW,
            "confirmed_at": NOW,
            "hard_failures": 0,
        }
        for i in range(n)
    ]
    from statuspage.models import Subscriber

    with engine.begin() as conn:
        conn.execute(sa.insert(Subscriber.__table__), rows)  # type: ignore[attr-defined]


def run(n: int, connections: int, pg_admin: str | None) -> dict[str, float]:
    """One fan-out of n messages; returns the figures."""
    url, handle = _database(pg_admin)
    port = _free_port()
    count = mp.Value("l", 0)
    ready, stop = mp.Event(), mp.Event()
    sink = mp.Process(target=_sink, args=(port, count, ready, stop), daemon=True)
    sink.start()
    ready.wait(30)
    try:
        db.upgrade(url)
        with db.session_scope(url) as s:
            sync_components(s, [{"name": "Checkout", "group": "Shop"}])
        _subscribers(url, n)
        settings = dict(DEFAULTS)
        settings.update(
            DATABASE_URL=url,
            SECRET_KEY="bench",
            PAGE_NAME="Acme Status",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            SMTP_CONNECTIONS=connections,
            MAIL_BATCH_SIZE=200,
            CLOCK=lambda: NOW,
        )
        draft = Draft(
            status="identified",
            current_impact="Card payments fail at checkout for some customers.",
            current_action="We are rolling back the payment service release.",
            user_action="Retry your payment after 16:45 UTC.",
            next_update_at=NOW + timedelta(minutes=15),
            body="More detail: **eu-west** only.\n\n" + "Details. " * 80,
        )
        started = time.perf_counter()
        with db.session_scope(url) as s:
            service.declare(
                s,
                title="Checkout unavailable",
                severity="SEV-1",
                draft=draft,
                components={"Checkout": "major_outage"},
                author=None,
                now=NOW,
                policy=service.Policy.from_settings(settings),
            )
        queued = time.perf_counter() - started
        worker = Worker(settings)
        summary = worker.drain()
        total = time.perf_counter() - started
        assert summary.sent == n, summary
        # The floor: one message as our worker builds it, sent n times.
        rendered = next(iter(worker._rendered.values()))
        _mid, data = messages.update_message(
            settings,
            rendered,
            subscriber_id=1,
            email="user1@example.com",
            token="x" * 43,
            thread_root=None,
            date=NOW,
        )
        floor = _floor(port, n, connections, data)
        assert count.value == 2 * n, count.value
    finally:
        stop.set()
        sink.join(10)
        _drop(url, handle)
    return {
        "n": n,
        "queue_s": queued,
        "total_s": total,
        "msgs_per_s": n / total,
        "floor_per_s": n / floor,
        "ratio": (n / total) / (n / floor),
        "size": len(data),
    }


def main() -> None:
    """Parse arguments, run each size, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--postgres", default=None, help="admin URL of a server")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, "
        f"{args.connections} connections"
    )
    for n in args.sizes:
        r = run(n, args.connections, args.postgres)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"N={n}: queued in {r['queue_s']:.2f}s; end to end {r['total_s']:.1f}s = "
            f"{r['msgs_per_s']:.0f} msg/s; floor {r['floor_per_s']:.0f} msg/s; "
            f"ratio {r['ratio']:.0%}; message {r['size']} bytes; "
            f"peak RSS {rss:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
